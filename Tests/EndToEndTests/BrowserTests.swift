import CommandLineSupport
import Foundation
import Notebook
import Rendering
import Runner
import Testing

/// A handout with every figure kind, opened in headless Chromium: every figure must be
/// drawn where it stands, and KaTeX must have typeset the math. The page and screenshot
/// are kept in `.build/screenshots/` for people to look at.
@Suite("In a real browser")
struct BrowserTests {
  static let chromium = [
    "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome",
  ]
  .first { FileManager.default.isExecutableFile(atPath: $0) }
  /// The Python the tests use: `scripts/test`'s own venv (with jsonschema), else the system's.
  static let python =
    ProcessInfo.processInfo.environment["NBRUN_PYTHON"].flatMap {
      FileManager.default.isExecutableFile(atPath: $0) ? $0 : nil
    } ?? "/usr/bin/python3"
  static let repository = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

  /// Appended to the page: records each figure's box and what KaTeX did, in a <pre>.
  static let probe = """
    <script>
    window.addEventListener('load', () => {
      const figures = [...document.querySelectorAll('figure svg')].map(svg => {
        const r = svg.getBoundingClientRect();
        return {x: r.left + scrollX, y: r.top + scrollY, w: r.width, h: r.height};
      });
      const text = document.querySelector('main').innerText;
      const report = {figures, katex: document.querySelectorAll('.katex').length,
        rawMath: text.includes('$$') || text.includes('\\\\(') || text.includes('\\\\['),
        height: Math.ceil(document.documentElement.scrollHeight)};
      const pre = document.createElement('pre');
      pre.id = 'nbrun-probe';
      pre.textContent = JSON.stringify(report);
      document.body.appendChild(pre);
    });
    </script>
    """

  struct Report: Decodable {
    struct Box: Decodable { var x, y, w, h: Double }
    var figures: [Box]
    var katex: Int
    var rawMath: Bool
    var height: Int
  }

  @Test(
    "figures are drawn and math is typeset in headless Chromium",
    .enabled(
      if: chromium != nil, "Chromium is not installed (apt-get install chromium); CI installs it"),
    .enabled(
      if: HandoutFiles.katex() != nil, "KaTeX is not installed (apt-get install libjs-katex)"))
  func figuresAndMathInChromium() throws {
    let source = try String(
      contentsOf: Self.repository.appendingPathComponent("Tests/Fixtures/figures.md"),
      encoding: .utf8)
    let (document, diagnostics) = Document.parse(source, path: "figures.md")
    let result = Session(document: document).run(parseDiagnostics: diagnostics)
    #expect(result.succeeded)
    let html = HTMLHandout(result: result, name: "figures", math: HandoutFiles.katex()).text
      .replacing("</body>", with: Self.probe + "\n</body>")
    let folder = Self.repository.appendingPathComponent(".build/screenshots")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    let page = folder.appendingPathComponent("figures.html")
    try Data(html.utf8).write(to: page, options: .atomic)

    let dom = try Self.run(
      Self.chromium ?? "", ["--dump-dom", "--virtual-time-budget=10000", page.absoluteString])
    guard let start = dom.range(of: "<pre id=\"nbrun-probe\">"),
      let end = dom.range(of: "</pre>", range: start.upperBound..<dom.endIndex)
    else {
      Issue.record("the probe did not report: \(dom.suffix(300))")
      return
    }
    let json = String(dom[start.upperBound..<end.lowerBound]).replacing("&quot;", with: "\"")
    let report = try JSONDecoder().decode(Report.self, from: Data(json.utf8))
    #expect(report.figures.count == 9)
    #expect(report.katex >= 2, "KaTeX typeset the math")
    #expect(!report.rawMath, "no raw $$ or \\( left in the rendered text")

    let screenshot = folder.appendingPathComponent("figures.png")
    try? FileManager.default.removeItem(at: screenshot)
    _ = try Self.run(
      Self.chromium ?? "",
      [
        "--screenshot=\(screenshot.path)", "--window-size=1000,\(report.height + 40)",
        "--hide-scrollbars", "--virtual-time-budget=10000", page.absoluteString,
      ])
    let regions = report.figures.map { "\(Int($0.x)),\(Int($0.y)),\(Int($0.w)),\(Int($0.h))" }
    let inked = try Self.run(Self.python, ["-c", Self.pngInk, screenshot.path] + regions)
      .split(separator: "\n").compactMap { Double($0) }
    #expect(inked.count == report.figures.count)
    for (index, fraction) in inked.enumerated() {
      // A figure's background is white: a blank one has no ink at all; line art has a few percent.
      #expect(fraction > 0.01, "figure \(index + 1) is blank: \(fraction) of its pixels have ink")
    }
  }

  /// Every committed HTML page: handouts (lectures, exercise sheets, and their student and
  /// key builds), slide decks and the course index.
  static var pages: [String] {
    ["", "student/", "key/"].flatMap { folder in
      ((try? FileManager.default.contentsOfDirectory(
        atPath: repository.appendingPathComponent("output/" + folder).path)) ?? [])
        .filter { $0.hasSuffix(".html") }.sorted().map { "output/" + folder + $0 }
    }
  }

  /// The committed handouts: the pages that are not slides nor the index.
  static var handouts: [String] {
    pages.filter { !$0.hasSuffix(".slides.html") && !$0.hasSuffix("/index.html") }
  }

  @Test(
    "committed pages show no raw TeX, no KaTeX error and no repeated id",
    .enabled(
      if: chromium != nil, "Chromium is not installed (apt-get install chromium); CI installs it"),
    arguments: pages)
  func committedHandoutIsClean(_ path: String) throws {
    let dom = try Self.expectClean(Self.repository.appendingPathComponent(path), path)
    // The author's checks are not content: no assertion of the notebook shows in a handout
    // or on a slide.
    guard !path.hasPrefix("output/key/"), !path.hasSuffix("/index.html") else { return }
    let notebook = Self.repository.appendingPathComponent(
      "notebooks/"
        + (path.split(separator: "/").last ?? "").replacing(".slides.html", with: ".md")
        .replacing(".html", with: ".md"))
    let source = try String(contentsOf: notebook, encoding: .utf8)
    let (document, _) = Document.parse(source, path: notebook.path)
    var visible = dom
    visible.replace(#/<script[\s\S]*?<\/script>/#, with: " ")
    visible.replace(#/<style[\s\S]*?<\/style>/#, with: " ")
    visible.replace(#/<[^>]*>/#, with: " ")
    visible = visible.replacing("&lt;", with: "<").replacing("&gt;", with: ">")
      .replacing("&amp;", with: "&")
    var assertions = 0
    for case .directive(let block) in document.blocks where block.kind == .expect {
      for line in block.lines {
        assertions += 1
        #expect(!visible.contains(line.text), "\(path) shows the check '\(line.text)'")
      }
    }
    if path.contains("lecture") { #expect(assertions > 0, "\(path): its notebook has checks") }
  }

  @Test(
    "the page-rules fixture is typeset with no raw TeX and unique ids",
    .enabled(
      if: chromium != nil, "Chromium is not installed (apt-get install chromium); CI installs it"),
    .enabled(
      if: HandoutFiles.katex() != nil, "KaTeX is not installed (apt-get install libjs-katex)"))
  func pageRulesInChromium() throws {
    let source = try String(
      contentsOf: Self.repository.appendingPathComponent("Tests/Fixtures/pages.md"),
      encoding: .utf8)
    let (document, diagnostics) = Document.parse(source, path: "pages.md")
    let result = Session(document: document).run(parseDiagnostics: diagnostics)
    #expect(result.succeeded, "\(result.diagnostics.map(\.description))")
    let html = HTMLHandout(result: result, name: "pages", math: HandoutFiles.katex()).text
    let folder = Self.repository.appendingPathComponent(".build/screenshots")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    let page = folder.appendingPathComponent("pages.html")
    try Data(html.utf8).write(to: page, options: .atomic)
    let dom = try Self.expectClean(page, "pages.md")
    // Every formula of the fixture is typeset: 12 in the prose, 1 in a table cell.
    #expect(dom.components(separatedBy: "class=\"katex\"").count - 1 == 13)
    #expect(dom.contains("$5 and $10"), "currency stays text")
  }

  // MARK: - Reading on a phone, a laptop and paper

  /// What `Tests/Fixtures/probe.js` measured of a page at one width.
  struct PageReport: Decodable {
    var width: Double
    var scrollWidth: Double
    var height: Double
    var figures: Int
    var labels: Int
    var small: [String]
    var overlaps: [String]
    var uncued: [String]
    var legends: [String]
  }

  /// Opens `page` in a frame `width` CSS pixels wide with the probe appended, returns the
  /// probe's report, and keeps a screenshot of the whole page as
  /// `.build/screenshots/NAME-WIDTH.png`.
  static func measure(_ page: URL, width: Int, name: String) throws -> PageReport? {
    let folder = repository.appendingPathComponent(".build/screenshots")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    let probe = try String(
      contentsOf: repository.appendingPathComponent("Tests/Fixtures/probe.js"), encoding: .utf8)
    let probed = folder.appendingPathComponent("\(name)-\(width)-page.html")
    let html = try String(contentsOf: page, encoding: .utf8)
      .replacing("</body>", with: "<script>\(probe)</script>\n</body>")
    try Data(html.utf8).write(to: probed, options: .atomic)
    func host(height: Int) throws -> URL {
      let url = folder.appendingPathComponent("\(name)-\(width)-host.html")
      let text = """
        <!DOCTYPE html><html><body style="margin:0"><iframe src="\(probed.lastPathComponent)" style="border:0;display:block;width:\(width)px;height:\(height)px"></iframe>
        <script>addEventListener('message', e => { const pre = document.createElement('pre'); pre.id = 'nbrun-probe'; pre.textContent = e.data; document.body.appendChild(pre); });</script>
        </body></html>
        """
      try Data(text.utf8).write(to: url, options: .atomic)
      return url
    }
    let window = max(500, width)
    let dom = try Self.run(
      Self.chromium ?? "",
      [
        "--dump-dom", "--window-size=\(window),900", "--virtual-time-budget=15000",
        try host(height: 900).absoluteString,
      ])
    guard let start = dom.range(of: "<pre id=\"nbrun-probe\">"),
      let end = dom.range(of: "</pre>", range: start.upperBound..<dom.endIndex)
    else {
      Issue.record("\(name) at \(width) px: the probe did not report: \(dom.suffix(300))")
      return nil
    }
    let json = String(dom[start.upperBound..<end.lowerBound])
      .replacing("&quot;", with: "\"").replacing("&lt;", with: "<").replacing("&gt;", with: ">")
      .replacing("&amp;", with: "&")
    let report = try JSONDecoder().decode(PageReport.self, from: Data(json.utf8))
    let height = min(16_000, Int(report.height.rounded(.up)))
    let screenshot = folder.appendingPathComponent("\(name)-\(width).png")
    try? FileManager.default.removeItem(at: screenshot)
    _ = try Self.run(
      Self.chromium ?? "",
      [
        "--screenshot=\(screenshot.path)", "--window-size=\(window),\(height)", "--hide-scrollbars",
        "--virtual-time-budget=15000", try host(height: height).absoluteString,
      ])
    #expect(
      FileManager.default.fileExists(atPath: screenshot.path),
      "no screenshot of \(name) at \(width)")
    return report
  }

  @Test(
    "committed handouts read well on a phone (390 px) and a laptop (1280 px)",
    .enabled(
      if: chromium != nil, "Chromium is not installed (apt-get install chromium); CI installs it"),
    arguments: handouts)
  func committedHandoutReadsWell(_ path: String) throws {
    let name = String(path.dropFirst("output/".count)).replacing("/", with: "-").replacing(
      ".html", with: "")
    for width in [390, 1280] {
      guard
        let report = try Self.measure(
          Self.repository.appendingPathComponent(path), width: width, name: name)
      else { continue }
      #expect(report.width == Double(width), "\(path): the frame is \(report.width) px wide")
      #expect(
        report.scrollWidth <= Double(width),
        "\(path) scrolls sideways at \(width) px: \(report.scrollWidth) px of content")
      #expect(
        report.small.isEmpty,
        "\(path) at \(width) px: figure text under 8 px: \(report.small.prefix(5))")
      #expect(
        report.overlaps.isEmpty,
        "\(path) at \(width) px: labels overlap: \(report.overlaps.prefix(5))")
      #expect(
        report.uncued.isEmpty,
        "\(path) at \(width) px: a box scrolls without a cue: \(report.uncued)")
      #expect(report.legends.isEmpty, "\(path) at \(width) px: \(report.legends)")
      if report.figures > 0 {
        #expect(report.labels > report.figures, "\(path): figures have text")
      }
    }
  }

  static let pdftotext = ["/usr/bin/pdftotext", "/usr/local/bin/pdftotext"]
    .first { FileManager.default.isExecutableFile(atPath: $0) }

  @Test(
    "committed handouts print: a footer with title and page, figures whole, the key's solutions open",
    .enabled(
      if: chromium != nil, "Chromium is not installed (apt-get install chromium); CI installs it"),
    .enabled(
      if: pdftotext != nil,
      "pdftotext is not installed (apt-get install poppler-utils); the test set-up installs it"),
    arguments: handouts)
  func committedHandoutPrints(_ path: String) throws {
    let page = Self.repository.appendingPathComponent(path)
    let folder = Self.repository.appendingPathComponent(".build/screenshots")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    let name = String(path.dropFirst("output/".count)).replacing("/", with: "-").replacing(
      ".html", with: "")
    let pdf = folder.appendingPathComponent("\(name).pdf")
    try? FileManager.default.removeItem(at: pdf)
    _ = try Self.run(
      Self.chromium ?? "",
      [
        "--no-pdf-header-footer", "--print-to-pdf=\(pdf.path)", "--virtual-time-budget=15000",
        page.absoluteString,
      ])
    let text = try Self.run(Self.pdftotext ?? "", ["-layout", pdf.path, "-"])
    let pages = text.components(separatedBy: "\u{0C}").filter {
      !$0.allSatisfy(\.isWhitespace)
    }
    #expect(!pages.isEmpty, "\(path) printed nothing")
    let html = try String(contentsOf: page, encoding: .utf8)
    let title = html.firstMatch(of: #/<title>([^<]*)</title>/#).map { String($0.output.1) } ?? ""
    let shortTitle = String(title.prefix(20)).replacing("&amp;", with: "&")
    // pdftotext drops or widens spaces, so the footer is compared without them.
    func squeezed(_ text: some StringProtocol) -> String {
      String(text.filter { !$0.isWhitespace })
    }
    for (number, text) in pages.enumerated() {
      let lines = text.split(separator: "\n").map(squeezed).filter { !$0.isEmpty }
      let footer = lines.last ?? ""
      #expect(
        footer.hasSuffix("\(number + 1)/\(pages.count)"),
        "\(path): page \(number + 1)'s last line is not its footer: \(footer)")
      #expect(
        footer.hasPrefix(squeezed(shortTitle)),
        "\(path): page \(number + 1)'s footer lacks the title: \(footer)")
    }
    // A figure is kept whole: its drawn title prints on the page of its caption.
    for match in html.matches(of: #/<title id="fig-(\d+)-title">([^<]*)</title>/#) {
      let (number, figureTitle) = (String(match.output.1), String(match.output.2))
      guard html.contains(">\(figureTitle)</text>"),
        let captionPage = pages.firstIndex(where: { $0.contains("Figure \(number). ") })
      else { continue }
      let flat = pages[captionPage].split(whereSeparator: \.isWhitespace).joined(separator: " ")
      // The title as printed: its entities read back (`&#39;` in "the CNN's filters").
      let entities = [
        ("&#39;", "'"), ("&quot;", "\""), ("&lt;", "<"), ("&gt;", ">"), ("&amp;", "&"),
      ]
      let printed = entities.reduce(figureTitle) { $0.replacing($1.0, with: $1.1) }
      let wanted = printed.split(whereSeparator: \.isWhitespace).joined(separator: " ")
      #expect(
        flat.contains(wanted),
        "\(path): figure \(number) ('\(wanted)') is not on the page of its caption")
    }
    // The key's worked solutions print expanded.
    for solution in html.matches(
      of: #/<details class="solution">\s*<summary>[^<]*</summary>\s*<p>([^<]{12,})/#)
    {
      let words = solution.output.1.split(whereSeparator: \.isWhitespace).prefix(4).joined(
        separator: " ")
      let flat = text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
      #expect(flat.contains(words), "\(path): the solution starting '\(words)' does not print")
    }
  }

  /// Opens a page in Chromium and checks what a reader sees; returns the DOM.
  @discardableResult
  static func expectClean(_ page: URL, _ path: String) throws -> String {
    let dom = try Self.run(
      Self.chromium ?? "", ["--dump-dom", "--virtual-time-budget=10000", page.absoluteString])
    #expect(dom.contains("<main>") || dom.contains("<div class=\"deck"), "the page loaded")
    #expect(!dom.contains("class=\"katex-error\""), "KaTeX reported an error in \(path)")
    var visible = dom
    visible.replace(#/<script[\s\S]*?<\/script>/#, with: " ")
    visible.replace(#/<style[\s\S]*?<\/style>/#, with: " ")
    visible.replace(#/<(pre|code|annotation|svg)[\s\S]*?<\/\1>/#, with: " ")
    visible.replace(#/<[^>]*>/#, with: " ")
    for marker in ["$$", #"\("#, #"\["#, #"\frac"#, #"\partial"#, #"\sum"#] {
      #expect(!visible.contains(marker), "\(path) shows '\(marker)' as text")
    }
    var withoutScripts = dom
    withoutScripts.replace(#/<script[\s\S]*?<\/script>/#, with: " ")
    let ids = withoutScripts.matches(of: #/ id="([^"]+)"/#).map { String($0.output.1) }
    let repeated = Dictionary(grouping: ids, by: { $0 }).filter { $0.value.count > 1 }.keys.sorted()
    #expect(repeated.isEmpty, "\(path) repeats ids: \(repeated)")
    return dom
  }

  static func run(_ executable: String, _ arguments: [String]) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments =
      executable.contains("chrom")
      ? ["--headless", "--no-sandbox", "--disable-gpu"] + arguments : arguments
    let output = Pipe()
    process.standardOutput = output
    process.standardError = FileHandle.nullDevice
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return String(decoding: data, as: UTF8.self)
  }

  /// Python (standard library only): reads an 8-bit RGB(A) PNG and prints, for each region
  /// `x,y,w,h`, the fraction of its pixels that are not near-white.
  static let pngInk = #"""
    import struct, sys, zlib
    data = open(sys.argv[1], 'rb').read()
    pos, chunks, width, height, kind = 8, b'', 0, 0, 6
    while pos < len(data):
        length, name = struct.unpack('>I4s', data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if name == b'IHDR':
            width, height, depth, kind = struct.unpack('>IIBB', body[:10])
        elif name == b'IDAT':
            chunks += body
        pos += 12 + length
    bpp = {2: 3, 6: 4}[kind]
    raw, stride, rows, prev = zlib.decompress(chunks), width * bpp, [], bytearray(width * bpp)
    for y in range(height):
        f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if f == 1: line[i] = (line[i] + a) & 255
            elif f == 2: line[i] = (line[i] + b) & 255
            elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(line)
        prev = line
    for region in sys.argv[2:]:
        x, y, w, h = map(int, region.split(','))
        ink = total = 0
        for yy in range(max(0, y), min(height, y + h), 2):
            row = rows[yy]
            for xx in range(max(0, x), min(width, x + w), 2):
                total += 1
                if min(row[xx * bpp:xx * bpp + 3]) < 235:
                    ink += 1
        print(ink / total if total else 0)
    """#
}
