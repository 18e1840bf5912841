/// KaTeX, inlined into every HTML handout so that it typesets its math offline, opened from
/// disk or sent by mail: the stylesheet (fonts embedded as data URIs), the library and its
/// auto-render extension. The command line reads them from Debian's `libjs-katex`.
public struct MathAssets: Hashable, Sendable {
  public var stylesheet: String
  public var script: String
  public var autoRender: String

  public init(stylesheet: String, script: String, autoRender: String) {
    self.stylesheet = stylesheet
    self.script = script
    self.autoRender = autoRender
  }

  /// KaTeX's stylesheet with each `@font-face` reduced to its woff2 font, embedded: `font`
  /// gives a font file's base64 text by name (`KaTeX_Main-Regular.woff2`), or `nil`.
  public static func inliningFonts(in css: String, font: (String) -> String?) -> String {
    // Scanned as bytes: every marker is ASCII, so no character is split.
    let bytes = Array(css.utf8)
    var out: [UInt8] = []
    out.reserveCapacity(bytes.count)
    var position = 0
    while let start = find(Array("src:".utf8), in: bytes, from: position) {
      out += bytes[position..<start]
      let tail = start + 4
      guard
        let end = bytes[tail...].firstIndex(where: {
          $0 == UInt8(ascii: ";") || $0 == UInt8(ascii: "}")
        })
      else {
        out += bytes[start...]
        return String(decoding: out, as: UTF8.self)
      }
      let sources = Array(bytes[tail..<end])
      if let open = find(Array("url(fonts/".utf8), in: sources, from: 0),
        let close = sources[(open + 10)...].firstIndex(of: UInt8(ascii: ")")),
        case let name = String(decoding: sources[(open + 10)..<close], as: UTF8.self),
        name.hasSuffix(".woff2"), let data = font(name)
      {
        out.append(contentsOf: "src:url(data:font/woff2;base64,".utf8)
        out.append(contentsOf: data.utf8)
        out.append(contentsOf: ") format('woff2')".utf8)
      } else {
        out += bytes[start..<end]
      }
      position = end
    }
    out += bytes[position...]
    return String(decoding: out, as: UTF8.self)
  }

}
