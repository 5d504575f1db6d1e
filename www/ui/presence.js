// @ts-check
// sipscope page, presence view (in the drawer): per contact a timeline of availability, coloured by the engine's
// class of each change (CSS av-<class>) and always said in words; per subscription its lifecycle, BENOTIFY storms
// collapsed. Also the availability badges inside the message panel's body summaries.

import { state, loadInsight } from './state.js';
import { ui, el, messageLink, fillList } from './dom.js';
import { plural, count, timeText } from './format.js';
import { call } from './engine.js';

/** @typedef {import('../types/view').AvailabilityChange} AvailabilityChange */
/** @typedef {import('../types/view').ContactPresence} ContactPresence */
/** @typedef {import('../types/view').SubscriptionLife} SubscriptionLife */
/** @typedef {import('../types/view').LifeEvent} LifeEvent */

const CONTACTS_PAGE = 100; // presence contacts drawn at once
const CHANGES_SHOWN = 40; // availability changes drawn per contact before "+N more"
const EVENTS_SHOWN = 40; // lifecycle events drawn per subscription before "+N more"

/**
 * A coloured dot and the words: colour for the eye, the name for everyone.
 * @param {string} cls the engine's availability class (available, idle, busy, busy-idle, dnd, away, offline, none)
 * @param {string} text
 */
function availBadge(cls, text) {
  return el('span', { class: `avail av-${cls.replace(/[^a-z-]/g, '') || 'none'}` },
    el('span', { class: 'avail-dot', 'aria-hidden': 'true' }),
    el('span', { class: 'avail-name', text }));
}

// "3500 Available" (a code, then the engine's name for it) inside a body summary's text becomes a coloured badge.
// The summaries are sentences: they carry no class of their own (the presence view's changes do).
const AVAIL_IN_TEXT = /\b(\d{1,5}) (Available-Idle \(Inactive\)|Available|Busy-Idle|Busy|Do Not Disturb|Be Right Back|Away|Offline)(?![\w-])/g;
const TEXT_CLASS = /** @type {Record<string, string>} */ ({
  Available: 'available', 'Available-Idle (Inactive)': 'idle', Busy: 'busy', 'Busy-Idle': 'busy-idle',
  'Do Not Disturb': 'dnd', 'Be Right Back': 'away', Away: 'away', Offline: 'offline',
});

/** Text with the availabilities it names as badges. @param {string} text @returns {(Node | string)[]} */
export function withAvailability(text) {
  /** @type {(Node | string)[]} */
  const out = [];
  let last = 0;
  for (const m of text.matchAll(AVAIL_IN_TEXT)) {
    const at = m.index || 0;
    if (at > last) out.push(text.slice(last, at));
    out.push(availBadge(TEXT_CLASS[m[2]] || 'none', `${m[1]} ${m[2]}`));
    last = at + m[0].length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

/** Load the presence of the analysis on screen (once); `then` runs when it is there. @param {() => void} then */
export function loadPresence(then) {
  return loadInsight('presence', () => call('presence'), then);
}

/** The drawer's line about presence. */
export function presenceSub() {
  const p = state.insights.presence;
  return p ? `${plural(p.contacts.length, 'contact')} · ${plural(p.subscriptions.length, 'subscription')} · click a change to show its message` : '';
}

/** Draw the presence panel. */
export function renderPresence() {
  const p = state.insights.presence;
  if (!p) return;
  if (!p.contacts.length && !p.subscriptions.length) {
    ui.presencePanel.replaceChildren(el('p', { class: 'placeholder', text: 'No presence in this log: no SUBSCRIBE, NOTIFY, BENOTIFY or published state.' }));
    return;
  }
  const list = el('ul', { class: 'pc-list' });
  const contacts = el('section', { class: 'pres-contacts', 'aria-labelledby': 'pres-contacts-title' },
    el('h3', { id: 'pres-contacts-title', text: `Contacts (${count(p.contacts.length)})` }),
    p.contacts.length ? list : el('p', { class: 'muted', text: 'No availability seen.' }));
  /** @param {number} from */
  const drawContacts = (from) => {
    list.querySelector('.pc-more')?.remove();
    const upto = Math.min(p.contacts.length, from + CONTACTS_PAGE);
    for (let k = from; k < upto; k++) list.append(contactRow(p.contacts[k]));
    const left = p.contacts.length - upto;
    if (left > 0) {
      list.append(el('li', { class: 'pc-more' }, el('button', {
        type: 'button', class: 'btn btn-small', text: `Show ${Math.min(CONTACTS_PAGE, left)} more contacts (${count(left)} not shown)`,
        onclick: () => drawContacts(upto),
      })));
    }
  };
  drawContacts(0);

  const subs = el('section', { class: 'pres-subs', 'aria-labelledby': 'pres-subs-title' },
    el('h3', { id: 'pres-subs-title', text: `Subscriptions (${count(p.subscriptions.length)})` }),
    p.subscriptions.length ? p.subscriptions.map(subscriptionBlock) : el('p', { class: 'muted', text: 'No subscriptions.' }));
  ui.presencePanel.replaceChildren(el('div', { class: 'pres-grid' }, contacts, subs));
}

/** @param {ContactPresence} c */
function contactRow(c) {
  const changes = c.changes;
  const line = el('ol', { class: 'pc-timeline', 'aria-label': `Availability of ${c.uri} over time` });
  /** @param {number} upto */
  const draw = (upto) => {
    line.replaceChildren();
    /** @type {string | null} */
    let note = null;
    changes.slice(0, upto).forEach((ch, k) => {
      const showNote = ch.note && ch.note !== note;
      note = ch.note || note;
      const when = timeText(ch.time, false);
      const label = `${when ? `${when}: ` : ''}${ch.name} (${ch.availability})${ch.activity ? `, activity ${ch.activity}` : ''}`
        + `${ch.note ? `, note "${ch.note}"` : ''}; from ${ch.source.replace(/-/g, ' ')}, message #${ch.msg + 1}`;
      line.append(el('li', { class: 'pc-item' },
        k ? el('span', { class: 'pc-arrow', 'aria-hidden': 'true', text: '→' }) : null,
        el('button', { type: 'button', class: 'pc-change', 'data-msg': String(ch.msg), 'data-goto': String(ch.msg), title: label, 'aria-label': label },
          when ? el('span', { class: 'pc-time', text: when }) : null,
          availBadge(ch.class, ch.name),
          showNote ? el('span', { class: 'pc-note', text: `“${ch.note}”` }) : null)));
    });
    if (changes.length > upto) {
      line.append(el('li', { class: 'pc-item' }, el('button', {
        type: 'button', class: 'link', text: `+${count(changes.length - upto)} more`, onclick: () => draw(changes.length),
      })));
    }
  };
  draw(CHANGES_SHOWN);
  const last = changes[changes.length - 1];
  return el('li', { class: 'pc-row' },
    el('div', { class: 'pc-who' },
      el('span', { class: 'pc-uri', title: c.uri, text: c.uri.replace(/^sips?:/i, '') }),
      el('span', { class: 'pc-count', text: `${plural(changes.length, 'change')}${last ? `, now ${last.name}` : ''}` })),
    line);
}

const EVENT_WORD = /** @type {Record<string, string>} */ ({
  created: 'subscribe', challenged: 'challenged', accepted: 'accepted', failed: 'failed', refreshed: 'refreshed',
  unsubscribed: 'unsubscribe', notify: 'NOTIFY', benotify: 'BENOTIFY', 'benotify-storm': 'BENOTIFY ×', terminated: 'terminated', expired: 'expired',
});

/** @param {SubscriptionLife} s */
function subscriptionBlock(s) {
  const bad = ['failed', 'expired', 'terminated'].includes(s.state);
  const list = el('ol', { class: 'ps-events' });
  /** @param {number} upto */
  const draw = (upto) => {
    fillList(list, s.events.slice(0, upto).map(eventRow));
    if (s.events.length > upto) {
      list.append(el('li', null, el('button', { type: 'button', class: 'link', text: `+${s.events.length - upto} more events`, onclick: () => draw(s.events.length) })));
    }
  };
  draw(EVENTS_SHOWN);
  return el('div', { class: 'ps-sub' },
    el('div', { class: 'ps-head' },
      el('span', { class: 'ps-event', text: s.event || 'subscription' }),
      el('span', { class: 'ps-resource', title: s.resource, text: s.resource.replace(/^sips?:/i, '') }),
      el('span', { class: `ps-state ps-state-${s.state.replace(/[^a-z-]/g, '')}${bad ? ' ps-bad' : ''}`, text: s.state || 'unknown' })),
    list);
}

/** @param {LifeEvent} ev */
function eventRow(ev) {
  const kind = ev.kind;
  const when = timeText(ev.time, false);
  const bad = ['failed', 'expired', 'challenged'].includes(kind);
  if (ev.storm) {
    const st = ev.storm;
    return el('li', { class: 'ps-item' },
      el('details', { class: 'ps-storm' },
        el('summary', { 'aria-label': `${when} BENOTIFY storm: ${ev.text}` },
          el('span', { class: 'ps-time', text: when }),
          el('span', { class: 'ps-kind ps-kind-storm', text: `BENOTIFY ×${st.count}` }),
          el('span', { class: 'ps-text', text: ev.text })),
        el('div', { class: 'ps-storm-body' },
          el('span', { text: `${plural(st.count, 'BENOTIFY', 'BENOTIFYs')}, collapsed into this row. ` }),
          messageLink(st.first, `first: #${st.first + 1}`), ' · ',
          messageLink(st.last, `last: #${st.last + 1}`),
          el('span', { class: 'muted', text: ' — the availability they carry is in the contacts\' timelines.' }))));
  }
  return el('li', { class: 'ps-item' },
    el('button', { type: 'button', class: `ps-ev${bad ? ' ps-ev-bad' : ''}`, 'data-msg': String(ev.msg), 'data-goto': String(ev.msg), title: `Show message #${ev.msg + 1}` },
      el('span', { class: 'ps-time', text: when }),
      el('span', { class: `ps-kind ps-kind-${kind.replace(/[^a-z-]/g, '')}`, text: EVENT_WORD[kind] || kind }),
      el('span', { class: 'ps-text' }, withAvailability(ev.text))));
}
