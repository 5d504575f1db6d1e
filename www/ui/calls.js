// @ts-check
// sipscope page, calls view (in the drawer): each call the engine found — when, who called whom, its media, how it
// ended (the engine's outcome, coloured and always said in words) and why, ring and talk time, who hung up — one
// click from its INVITE and from the message that says why; per media line (unfolded on demand) the codecs
// offered and agreed, SRTP and encryption policy, ICE candidates by type on each side and the path ICE chose; each
// quality report's figures and the user's rating (stars, problems ticked, comment).

import { state, loadInsight } from './state.js';
import { ui, el, messageLink } from './dom.js';
import { plural, count } from './format.js';
import { call } from './engine.js';

/** @typedef {import('../types/view').CallRow} CallRow */
/** @typedef {import('../types/view').CallMediaRow} CallMediaRow */
/** @typedef {import('../types/view').CandidateCounts} CandidateCounts */

const CALLS_PAGE = 200; // calls drawn at once

/** Load the calls of the analysis on screen (once); `then` runs when they are there. @param {() => void} then */
export function loadCalls(then) {
  return loadInsight('calls', () => call('calls'), then);
}

/** The drawer's line about the calls. */
export function callsSub() {
  const c = state.insights.calls;
  if (!c) return '';
  const failed = c.filter((x) => !['answered', 'cancelled'].includes(x.outcome)).length;
  return `${plural(c.length, 'call')}${failed ? ` · ${count(failed)} not answered or failed` : ''} · click a call to show its INVITE`;
}

/** Draw the calls panel. */
export function renderCalls() {
  const calls = state.insights.calls;
  if (!calls) return;
  if (!calls.length) {
    ui.callsPanel.replaceChildren(el('p', { class: 'placeholder', text: 'No calls in this log: no INVITE with audio, video, application sharing or data (IM sessions are conversations).' }));
    return;
  }
  const list = el('ol', { class: 'call-list' });
  /** @param {number} from */
  const draw = (from) => {
    list.querySelector('.call-more')?.remove();
    const upto = Math.min(calls.length, from + CALLS_PAGE);
    for (let k = from; k < upto; k++) list.append(callItem(calls[k]));
    const left = calls.length - upto;
    if (left > 0) {
      list.append(el('li', { class: 'call-more' }, el('button', {
        type: 'button', class: 'btn btn-small', text: `Show ${Math.min(CALLS_PAGE, left)} more calls (${count(left)} not shown)`,
        onclick: () => draw(upto),
      })));
    }
  };
  draw(0);
  ui.callsPanel.replaceChildren(list);
}

/** A party: its display name when given, its address always. @param {string} uri @param {string | null} name */
function party(uri, name) {
  return el('span', { class: 'call-party', title: uri },
    name ? el('span', { class: 'call-name', text: name }) : null,
    el('span', { class: name ? 'call-uri muted' : 'call-uri', text: uri }));
}

/** @param {CallRow} c */
function callItem(c) {
  const media = c.media_kinds.length ? c.media_kinds.join(' + ') : 'no media agreed';
  const label = `Call at ${c.started}: ${c.caller} to ${c.callee}, ${media}, ${c.outcome_text}`;
  const times = [c.ring ? `rang ${c.ring}` : c.setup ? `answer after ${c.setup}` : '', c.talk ? `talk ${c.talk}` : '', c.ended_by ? `${c.ended_by} hung up` : ''].filter(Boolean).join(' · ');
  const reason = c.reason;
  return el('li', { class: `call call-${c.outcome}` },
    el('button', { type: 'button', class: 'call-main', 'data-goto': String(c.invite), title: `Show the INVITE (#${c.invite + 1})`, 'aria-label': label },
      el('span', { class: 'call-time', text: c.started }),
      el('span', { class: 'call-who' }, party(c.caller, c.caller_name), el('span', { class: 'call-arrow', 'aria-hidden': 'true', text: ' → ' }), party(c.callee, c.callee_name)),
      el('span', { class: 'call-media', text: c.conference ? `${media} · meeting` : media }),
      el('span', { class: `call-outcome out-${c.outcome}`, text: c.outcome_text }),
      el('span', { class: 'call-times muted', text: times })),
    reason ? el('p', { class: 'call-reason' },
      el('span', { class: 'muted', text: `${reason.header}${reason.code !== null ? ` ${reason.code}` : ''}: ` }),
      reason.text || 'no reason text',
      ' ', messageLink(reason.msg, `#${reason.msg + 1}`)) : null,
    c.quality.map(qualityLine),
    c.feedback.map(feedbackLine),
    c.media.length ? el('details', { class: 'call-details' },
      el('summary', { text: `Media: ${plural(c.media.length, 'line')} · ${plural(c.messages.length, 'message')}` }),
      c.media.map(mediaBlock)) : null);
}

/**
 * A quality report's figures, per media line: the listening MOS both ways, network MOS, loss, jitter, round trip,
 * the network; "poor" (and the thresholds crossed, on hover) when the engine says so.
 * @param {import('../types/view').QualityRow} q
 */
function qualityLine(q) {
  /** @param {number | null} v @param {string} unit @param {number} [scale] */
  const n = (v, unit, scale = 1) => (v === null ? null : `${Number((v * scale).toFixed(2))}${unit}`);
  return el('div', { class: 'call-quality' },
    q.media.map((m) => {
      const i = m.inbound;
      const o = m.outbound;
      const facts = [
        i.listen_mos !== null || o.listen_mos !== null ? `MOS ${n(i.listen_mos, '') ?? '?'} received, ${n(o.listen_mos, '') ?? '?'} sent` : null,
        i.network_mos !== null ? `network MOS ${n(i.network_mos, '')}` : null,
        i.loss_rate !== null ? `loss ${n(i.loss_rate, ' %', 100)}` : null,
        i.jitter_ms !== null ? `jitter ${n(i.jitter_ms, ' ms')}` : null,
        o.round_trip_ms !== null ? `round trip ${n(o.round_trip_ms, ' ms')}` : null,
        [m.network, m.vpn ? 'VPN' : null, m.inside === false ? 'outside' : null, m.ice ? `ICE ${m.ice}` : null].filter(Boolean).join(', ') || null,
      ].filter(Boolean);
      const poor = [...i.poor.map((p) => `received: ${p}`), ...o.poor.map((p) => `sent: ${p}`)];
      return el('p', { class: 'call-quality-line' },
        el('span', { class: 'muted', text: `Quality, ${m.label}: ` }),
        facts.join(' · '),
        poor.length ? el('span', { class: 'call-poor', title: poor.join('\n'), text: ' poor' }) : null,
        ' ', messageLink(q.msg, `#${q.msg + 1}`));
    }),
    q.truncated ? el('p', { class: 'call-quality-line muted', text: `The report was cut off in the log: only what was read is shown (${q.truncated}).` }) : null,
    !q.media.length && !q.truncated ? el('p', { class: 'call-quality-line muted', text: 'A quality report with no media line.' }) : null);
}

/**
 * The user's rating ("Rate My Call"): the stars, the engine's words for them, "low" when it is a finding, the
 * problems ticked and the comment (the user's text, shown as text), linked to its message.
 * @param {import('../types/view').FeedbackRow} f
 */
function feedbackLine(f) {
  const r = f.rating;
  const stars = r !== null && r >= 1 && r <= 5
    ? el('span', { class: 'call-stars', 'aria-hidden': 'true', text: `${'★'.repeat(r)}${'☆'.repeat(5 - r)} ` })
    : null;
  const ticked = f.tokens.filter((t) => t.ticked).map((t) => t.text);
  return el('div', { class: 'call-feedback' },
    el('p', { class: 'call-quality-line' },
      el('span', { class: 'muted', text: `Rated${f.user ? ` by ${f.user}` : ''}: ` }),
      stars,
      el('span', { class: 'call-rating', text: f.rating_text }),
      f.low ? el('span', { class: 'call-poor', title: 'Rated 1 or 2 stars: a finding', text: ' low' }) : null,
      ticked.length ? ` · ${ticked.join(', ')}` : '',
      ' ', messageLink(f.msg, `#${f.msg + 1}`)),
    f.comment ? el('p', { class: 'call-quality-line call-comment' },
      el('span', { class: 'muted', text: `The user wrote${f.language ? ` (${f.language})` : ''}: ` }),
      el('q', { text: f.comment })) : null,
    f.truncated ? el('p', { class: 'call-quality-line muted', text: `The rating was cut off in the log: only what was read is shown (${f.truncated}).` }) : null);
}

/** "2 host, 1 srflx, 2 relay". @param {CandidateCounts} n */
function countsText(n) {
  const parts = [['host', n.host], ['server-reflexive', n.srflx], ['peer-reflexive', n.prflx], ['relay', n.relay], ['x-candidate', n.microsoft]]
    .filter(([, v]) => Number(v) > 0).map(([k, v]) => `${v} ${k}`);
  return parts.length ? parts.join(', ') : 'none';
}

/** The codecs agreed, and what was offered when it differs. @param {CallMediaRow} m */
function codecsText(m) {
  const offered = m.offered_codecs.join(', ') || 'none';
  if (!m.answered_codecs.length) return `offered ${offered}; no answer`;
  const agreed = m.answered_codecs.join(', ');
  return agreed === offered ? `${agreed} (as offered)` : `${agreed} (offered ${offered})`;
}

/** @param {CallMediaRow} m */
function mediaBlock(m) {
  const rows = [
    ['Codecs', codecsText(m)],
    ['Encryption', `${m.srtp.length ? `SRTP ${m.srtp.join(', ')}` : 'no SRTP suite agreed'}${m.encryption ? ` · policy ${m.encryption}` : ''}`],
    ['Candidates', `offer: ${countsText(m.offer_counts)} · answer: ${countsText(m.answer_counts)}`],
    ['Path', m.path_local || m.path_remote ? `${m.path_local || '?'} ⇄ ${m.path_remote || '?'}` : 'no re-INVITE naming the chosen candidates'],
    m.bandwidth.length ? ['Bandwidth', m.bandwidth.join(', ')] : null,
  ].filter((r) => r !== null);
  const cands = [...m.offer_candidates.map((c) => ['offer', c]), ...m.answer_candidates.map((c) => ['answer', c])];
  return el('section', { class: 'call-media-line' },
    el('h4', { text: `${m.kind}${m.declined ? ' (declined)' : ''}` }),
    el('dl', { class: 'call-facts' }, rows.flatMap((r) => [el('dt', { text: String(r?.[0]) }), el('dd', { text: String(r?.[1]) })])),
    cands.length ? el('table', { class: 'call-cands' },
      el('thead', {}, el('tr', {}, ['Side', 'Type', 'Transport', 'Address', 'Related'].map((h) => el('th', { scope: 'col', text: h })))),
      el('tbody', {}, cands.map(([side, cand]) => {
        const c = /** @type {import('../types/view').CandidateRow} */ (cand);
        return el('tr', {},
          el('td', { text: String(side) }),
          el('td', { text: c.kind || (c.microsoft ? 'x-candidate' : '?') }),
          el('td', { text: `${c.transport} · ${c.component === '2' ? 'RTCP' : 'RTP'}` }),
          el('td', { text: `${c.address}:${c.port}` }),
          el('td', { text: c.related || '' }));
      }))) : null);
}
