import Notebook

/// TeX a reader would see raw on the page: `$$`, `\(`, `\[` or a command such as `\frac`
/// in the prose's text, where no math span took it (mismatched delimiters, a formula in
/// the wrong place). A walk over the document's tree: the text nodes outside links that
/// cmark made of an address (`<https://example.com/\[\>`) and outside images (whose text is
/// an attribute), and the visible text of the author's HTML blocks. Code is not prose.
public enum RawTeX {
  /// What starts raw TeX.
  static let markers = [#"$$"#, #"\("#, #"\["#, #"\frac"#, #"\sum"#, #"\partial"#, #"\mathbf"#]

  /// Each place raw TeX stands, located in the notebook (at most `limit` of them).
  public static func diagnostics(in document: Document, limit: Int = 3) -> [Diagnostic] {
    var found: [Diagnostic] = []
    func report(_ text: [UInt8], at place: (Int) -> SourceLocation) {
      for (offset, snippet) in occurrences(in: text) where found.count < limit {
        let location = place(offset)
        found.append(
          Diagnostic(
            path: document.path, location: location,
            message: "'\(snippet)' is outside math, so the page shows it as TeX",
            hint:
              "math needs matching delimiters ($…$, $$…$$, \\(…\\), \\[…\\]) in prose, not in code",
            sourceLine: document.lines.indices.contains(location.line - 1)
              ? document.lines[location.line - 1] : nil,
            length: 2))
      }
    }
    for case .markdown(let block) in document.blocks where found.count < limit {
      // A run of text nodes (an escape is a node of its own: `\\(` is two), each with its
      // offset in the run and its place in the source.
      var run: [UInt8] = []
      var starts: [(offset: Int, at: SourceLocation?)] = []
      func flush() {
        defer {
          run = []
          starts = []
        }
        guard !run.isEmpty else { return }
        report(run) { offset in
          // The node holding `offset`; an unplaced one (an escape, an entity) starts where
          // the located node before it ends.
          let index = starts.lastIndex { $0.offset <= offset } ?? 0
          if let at = starts[index].at {
            return SourceLocation(line: at.line, column: at.column + offset - starts[index].offset)
          }
          if let before = starts[..<index].lastIndex(where: { $0.at != nil }),
            let at = starts[before].at
          {
            return SourceLocation(
              line: at.line, column: at.column + starts[index].offset - starts[before].offset)
          }
          return starts[index...].lazy.compactMap(\.at).first ?? block.range.start
        }
      }
      // Inside an image, text is an attribute; a link whose text is its address is one
      // cmark made of an autolink (`<https://example.com/\\[\\>`), never TeX.
      var images = 0
      var link: String?
      for event in block.tree {
        switch event {
        case .enter(.link(let destination, _)):
          flush()
          link = destination
        case .exit(.link):
          let text = String(decoding: run, as: UTF8.self)
          if let destination = link, destination == text || destination == "mailto:" + text {
            run = []
            starts = []
          }
          flush()
          link = nil
        case .enter(.image):
          flush()
          images += 1
        case .exit(.image):
          images -= 1
        case .enter, .exit: flush()
        case .leaf(let leaf):
          switch leaf {
          case .text(let text, let at):
            guard images == 0 else { continue }
            starts.append((run.count, at))
            run += text.utf8
          case .htmlBlock(let literal, let line):
            flush()
            // Located at the block's first line: its tags do not map text to columns.
            report(visibleText(ofHTML: Array(literal.utf8))) { _ in
              SourceLocation(line: line, column: 1)
            }
          case .softBreak, .lineBreak, .code, .html, .placeholder, .reference, .codeBlock,
            .thematicBreak, .math:
            flush()
          }
        }
      }
      flush()
    }
    return found
  }

  /// Each marker's offset in `text`, with the text around it (on one line).
  static func occurrences(in text: [UInt8]) -> [(offset: Int, snippet: String)] {
    var found: [(Int, String)] = []
    for marker in markers {
      let pattern = Array(marker.utf8)
      var from = 0
      while let at = find(pattern, in: text, from: from) {
        let snippet = text[max(0, at - 20)..<min(text.count, at + pattern.count + 20)]
        found.append(
          (
            at,
            String(decoding: snippet, as: UTF8.self).split(whereSeparator: \.isNewline).joined(
              separator: " ")
          ))
        from = at + pattern.count
      }
    }
    return found.sorted { $0.0 < $1.0 }
  }

  /// The text of some HTML a reader sees: tags, and the contents of scripts, styles,
  /// preformatted text, code and SVG, each left out (as a space).
  static func visibleText(ofHTML bytes: [UInt8]) -> [UInt8] {
    let skipped: [(open: [UInt8], close: [UInt8])] = [
      ("<script", "</script>"), ("<style", "</style>"), ("<pre", "</pre>"), ("<code", "</code>"),
      ("<svg", "</svg>"),
    ].map { (Array($0.utf8), Array($1.utf8)) }
    var text: [UInt8] = []
    var i = 0
    outer: while i < bytes.count {
      guard bytes[i] == UInt8(ascii: "<") else {
        text.append(bytes[i])
        i += 1
        continue
      }
      for (open, close) in skipped where bytes[i...].starts(with: open) {
        i = find(close, in: bytes, from: i).map { $0 + close.count } ?? bytes.count
        text.append(UInt8(ascii: " "))
        continue outer
      }
      while i < bytes.count, bytes[i] != UInt8(ascii: ">") { i += 1 }
      i += 1
      text.append(UInt8(ascii: " "))
    }
    return text
  }
}
