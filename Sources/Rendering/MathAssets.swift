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
    var out = ""
    var rest = Substring(css)
    while let start = rest.range(of: "src:") {
      out += rest[..<start.lowerBound]
      let tail = rest[start.upperBound...]
      guard let end = tail.firstIndex(where: { $0 == ";" || $0 == "}" }) else {
        out += rest[start.lowerBound...]
        return out
      }
      let sources = tail[..<end]
      if let open = sources.range(of: "url(fonts/"),
        let close = sources[open.upperBound...].firstIndex(of: ")"),
        sources[open.upperBound..<close].hasSuffix(".woff2"),
        let data = font(String(sources[open.upperBound..<close]))
      {
        out += "src:url(data:font/woff2;base64,\(data)) format('woff2')"
      } else {
        out += "src:" + sources
      }
      rest = tail[end...]
    }
    return out + rest
  }
}
