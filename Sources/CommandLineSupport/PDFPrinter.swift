import Foundation
import Notebook
import Rendering

/// `--to pdf`: the HTML handout printed by headless Chromium (Debian's `chromium`) through
/// its print stylesheet — the paper from the front matter (`paper:`, A4 by default), the
/// title and page numbers in the footer (CSS page-margin boxes), math typeset, links live.
///
/// Chromium stamps the time into the PDF's information dictionary; the two dates are
/// replaced by a fixed one of the same length, so the same notebook gives the same bytes.
public enum PDFPrinter {
  /// Why a PDF could not be made, as a sentence with what to do.
  public struct Failure: Error, CustomStringConvertible {
    public var description: String
  }

  /// The Chromium to print with: `NBRUN_CHROMIUM`, else the first of `chromium`,
  /// `chromium-browser`, `google-chrome` on the PATH.
  public static func chromium(environment: [String: String] = ProcessInfo.processInfo.environment)
    -> String?
  {
    if let chosen = environment["NBRUN_CHROMIUM"], !chosen.isEmpty {
      return FileManager.default.isExecutableFile(atPath: chosen) ? chosen : nil
    }
    let folders = (environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
    for name in ["chromium", "chromium-browser", "google-chrome"] {
      for folder in folders {
        let path = "\(folder)/\(name)"
        if FileManager.default.isExecutableFile(atPath: path) { return path }
      }
    }
    return nil
  }

  /// What to tell a user whose machine has no Chromium.
  public static let missing =
    "--to pdf prints through headless Chromium, which is not installed: sudo apt-get install -y chromium (or set NBRUN_CHROMIUM to a Chromium or Chrome binary)"

  /// The fixed date written into every PDF's information dictionary.
  static let fixedDate = Array("D:20000101000000+00'00'".utf8)

  /// Prints `html` (a standalone page) to PDF on `paper`; `seconds` bounds Chromium's run.
  public static func print(
    html: String, paper: Paper, chromium: String, seconds: Double = 120
  ) throws -> [UInt8] {
    let manager = FileManager.default
    let folder = manager.temporaryDirectory.appendingPathComponent(
      "nbrun-pdf-\(getpid())-\(UUID().uuidString)")
    defer { try? manager.removeItem(at: folder) }
    do {
      try manager.createDirectory(at: folder, withIntermediateDirectories: true)
      try Data(withPaper(html, paper).utf8).write(to: folder.appendingPathComponent("page.html"))
    } catch {
      throw Failure(
        description: "cannot write a temporary page for Chromium in \(folder.path): \(error)")
    }
    let output = folder.appendingPathComponent("page.pdf")
    let process = Process()
    process.executableURL = URL(fileURLWithPath: chromium)
    process.arguments = [
      // The virtual-time budget: printed when the page is still (KaTeX's inlined fonts
      // loaded, math typeset), not at the load event, which under load comes first.
      "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
      "--virtual-time-budget=10000",
      "--user-data-dir=\(folder.appendingPathComponent("profile").path)",
      "--print-to-pdf=\(output.path)", folder.appendingPathComponent("page.html").absoluteString,
    ]
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    do {
      try process.run()
    } catch {
      throw Failure(description: "cannot start \(chromium): \(error)")
    }
    let deadline = Date().addingTimeInterval(seconds)
    while process.isRunning {
      if Date() > deadline {
        process.terminate()
        process.waitUntilExit()
        throw Failure(
          description:
            "Chromium did not finish printing within \(Int(seconds)) s; try again, or print the HTML handout from a browser"
        )
      }
      usleep(20_000)
    }
    guard process.terminationStatus == 0, let data = try? Data(contentsOf: output),
      data.starts(with: Array("%PDF".utf8))
    else {
      throw Failure(
        description:
          "Chromium (\(chromium)) exited with status \(process.terminationStatus) and no PDF; run it by hand with --headless --print-to-pdf to see why"
      )
    }
    return normalised(Array(data))
  }

  /// The page with its paper size: a rule after the handout's own, which names none
  /// unless the front matter does.
  static func withPaper(_ html: String, _ paper: Paper) -> String {
    guard let head = html.range(of: "</head>") else { return html }
    return html[..<head.lowerBound] + "<style>@page{size:\(paper.css)}</style>\n"
      + html[head.lowerBound...]
  }

  /// The PDF with `/CreationDate` and `/ModDate` set to ``fixedDate`` (same length, so
  /// every offset in the cross-reference table stays right).
  static func normalised(_ pdf: [UInt8]) -> [UInt8] {
    var bytes = pdf
    for key in ["/CreationDate (", "/ModDate ("] {
      let marker = Array(key.utf8)
      var from = 0
      while let at = find(marker, in: bytes, from: from) {
        let start = at + marker.count
        guard let close = bytes[start...].firstIndex(of: UInt8(ascii: ")")) else { break }
        if close - start == fixedDate.count {
          bytes.replaceSubrange(start..<close, with: fixedDate)
        }
        from = close
      }
    }
    return bytes
  }
}
