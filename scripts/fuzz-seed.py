#!/usr/bin/env python3
"""Write the committed seed corpora (fuzz/corpus/TARGET/) from this repository's own fixtures.

Run from the repository root: `python3 scripts/fuzz-seed.py`. The external samples in ../shared/fixtures are
not copied here (their licences ask for that); scripts/fuzz.sh adds them to a run's working corpus instead.
Seeds are small on purpose: a fuzzer learns more from many small inputs than from a few big ones.
"""
import gzip, hashlib, io, os, re, struct, zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIX = os.path.join(ROOT, 'tests', 'fixtures')
OUT = os.path.join(ROOT, 'fuzz', 'corpus')


def read(*p):
    with open(os.path.join(ROOT, *p), 'rb') as f:
        return f.read()


def put(target, data, limit=64 * 1024):
    data = data[:limit]
    d = os.path.join(OUT, target)
    os.makedirs(d, exist_ok=True)
    name = hashlib.sha1(data).hexdigest()[:16]
    with open(os.path.join(d, name), 'wb') as f:
        f.write(data)


def uccapi_packets(text):
    """The SIP messages of a client log (between a packet line and the next timestamped line)."""
    out = []
    for m in re.finditer(rb'(?:Sending Packet|Data Received)[^\n]*bytes:\r?\n\S+\|\S+ \S+ \w+ +:: (.*?)(?=\r?\n\d\d/\d\d/\d{4}\|)', text, re.S):
        out.append(m.group(1))
    return out


def main():
    logs = ['seed-presence.uccapilog', 'hostile.uccapilog', 'lf-bom.uccapilog', 'rotated-mid-packet.uccapilog',
            'two-in-one-block.uccapilog', 'utf16.uccapilog']
    servers = ['server-edge.log', 'server-frontend.log']
    texts = ['sip-collapsed.txt', 'sip-quoted.txt']
    # SBC and proxy logs: the sbc_log target's first byte picks the product, in the order of
    # sipscope::import::Product::ALL.
    products = ['expressway', 'audiocodes', 'ribbon', 'freeswitch', 'drachtio', 'kamailio', 'syslog']
    sbc = [('cisco-expressway-network-sip.log', 'expressway'), ('audiocodes-syslog.log', 'audiocodes'),
           ('ribbon-sbc.log', 'ribbon'), ('freeswitch-sofia.log', 'freeswitch'), ('drachtio.log', 'drachtio'),
           ('kamailio-xlog.log', 'kamailio'), ('syslog-escaped.log', 'kamailio')]
    for f, product in sbc:
        data = read('tests', 'fixtures', 'sbc', f)
        pick = bytes([products.index(product)])
        put('sbc_log', pick + data[:16384])
        # A piece from the middle (a message cut at both ends), and the lines of one message.
        put('sbc_log', pick + data[len(data) // 2:len(data) // 2 + 6000])
        put('analysis', data[:32768])
    put('sbc_log', bytes([products.index('syslog')]) + read('tests', 'fixtures', 'sbc', 'kamailio-xlog.log')[:4096])
    put('sip_text', read('tests', 'fixtures', 'sbc', 'pipe-indented.txt'))
    sample = read('www', 'sample', 'sample.uccapilog')
    for f in logs:
        put('client_log', read('tests', 'fixtures', f))
        put('analysis', read('tests', 'fixtures', f))
    for f in servers:
        put('server_trace', read('tests', 'fixtures', f))
        put('analysis', read('tests', 'fixtures', f))
    for f in texts:
        put('sip_text', read('tests', 'fixtures', f))
        put('analysis', read('tests', 'fixtures', f))
        put('redact', read('tests', 'fixtures', f))
    for f in logs[:3]:
        put('redact', read('tests', 'fixtures', f))
    pcap = read('tests', 'fixtures', 'lab-tcp5060.pcap')
    put('capture', pcap)
    put('capture', pcapng_of(pcap))
    put('analysis', pcap[:24 + 16 * 1024])
    put('capture', pcap[:8192])
    for name in ('lab-tcp5060.cap', 'lab-tcp5060-editcap.cap'):
        cap = read('tests', 'fixtures', 'netmon', name)
        put('capture', cap)
        put('capture', cap[:8192])
    small = read('tests', 'fixtures', 'seed-presence.uccapilog')
    put('archive', gzip.compress(small, mtime=0))
    put('archive', zip_of([('Tracing/Lync-UccApi-0.UccApilog', small), ('Tracing/notes.txt', b'x' * 100)]))
    put('analysis', gzip.compress(small, mtime=0))
    put('analysis', zip_of([('Lync-UccApi-0.UccApilog', small)]))
    put('client_log', sample[:16384])
    packets = []
    for f in logs[:5]:
        packets += uccapi_packets(read('tests', 'fixtures', f))
    packets += uccapi_packets(sample)
    seen = set()
    bodies, values = [], []
    for p in packets:
        p = p.replace(b'\r\n', b'\n').replace(b'\n', b'\r\n')
        head, _, body = p.partition(b'\r\n\r\n')
        start = head.split(b'\r\n', 1)[0]
        key = start.split(b' ')[0] + start.split(b' ')[1][:3]
        if key not in seen:
            seen.add(key)
            put('sip_message', p)
            put('sip_text', p)
        ct = re.search(rb'(?im)^(?:content-type|c):\s*(.+?)\r?$', head)
        if ct and body.strip():
            bodies.append(ct.group(1).strip() + b'\n' + body)
        for name, value in re.findall(rb'(?m)^([A-Za-z-]+):\s*(.+?)\r?$', head):
            if name.lower() in (b'via', b'from', b'to', b'contact', b'record-route', b'route', b'authorization',
                                b'www-authenticate', b'proxy-authenticate', b'authentication-info', b'ms-diagnostics',
                                b'ms-diagnostics-public', b'p-asserted-identity', b'ms-client-diagnostics',
                                b'supported', b'event', b'allow-events', b'subscription-state'):
                values.append(value)
    for b in dict.fromkeys(bodies):
        put('body', b)
    for v in list(dict.fromkeys(values))[:300]:
        put('grammar', v)


def zip_of(entries):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, 'w', zipfile.ZIP_DEFLATED) as z:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)
    return buf.getvalue()


def pcapng_of(pcap):
    """The same packets as pcapng: section header, one interface, enhanced packet blocks."""
    magic, = struct.unpack('<I', pcap[:4])
    e = '<' if magic in (0xA1B2C3D4, 0xA1B23C4D) else '>'
    linktype, = struct.unpack(e + 'I', pcap[20:24])
    out = bytearray()
    shb = struct.pack('<IHHq', 0x1A2B3C4D, 1, 0, -1)
    out += struct.pack('<II', 0x0A0D0D0A, 12 + len(shb)) + shb + struct.pack('<I', 12 + len(shb))
    idb = struct.pack('<HHI', linktype, 0, 65535)
    out += struct.pack('<II', 1, 12 + len(idb)) + idb + struct.pack('<I', 12 + len(idb))
    pos = 24
    while pos + 16 <= len(pcap):
        sec, usec, incl, orig = struct.unpack(e + 'IIII', pcap[pos:pos + 16])
        data = pcap[pos + 16:pos + 16 + incl]
        pos += 16 + incl
        ts = sec * 1_000_000 + usec
        pad = (4 - len(data) % 4) % 4
        body = struct.pack('<IIIII', 0, ts >> 32, ts & 0xFFFFFFFF, len(data), orig) + data + b'\0' * pad
        out += struct.pack('<II', 6, 12 + len(body)) + body + struct.pack('<I', 12 + len(body))
    return bytes(out)


if __name__ == '__main__':
    main()
