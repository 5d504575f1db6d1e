//! Capture importer: pcap and pcapng files → SIP records (link layers, IP reassembly, TCP streams, SCTP, WebSocket).
