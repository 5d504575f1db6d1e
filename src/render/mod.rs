//! Render: view values → bytes people read (terminal text, SVG, JSON, Mermaid). Renderers only lay out what the
//! view layer decided; every string from a log is escaped for its target format.

pub mod ladder_text;
pub mod svg;
pub mod text;
