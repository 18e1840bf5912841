import Figures
import Foundation
import JupyterKernel

/// The kernelspec Jupyter finds the nbrun kernel by: `kernel.json` (how to start it, its
/// display name, language and interrupt mode) and its logos.
public enum KernelSpec {
  /// The folder Jupyter looks in: `PREFIX/share/jupyter/kernels/nbrun`, or the user's
  /// `$JUPYTER_DATA_DIR` / `$XDG_DATA_HOME/jupyter` / `~/.local/share/jupyter`.
  public static func folder(prefix: String?, environment: [String: String]) -> URL {
    if let prefix {
      return URL(fileURLWithPath: prefix).appendingPathComponent("share/jupyter/kernels/nbrun")
    }
    let data: URL
    if let dir = environment["JUPYTER_DATA_DIR"], !dir.isEmpty {
      data = URL(fileURLWithPath: dir)
    } else if let xdg = environment["XDG_DATA_HOME"], !xdg.isEmpty {
      data = URL(fileURLWithPath: xdg).appendingPathComponent("jupyter")
    } else {
      let home = environment["HOME"] ?? NSHomeDirectory()
      data = URL(fileURLWithPath: home).appendingPathComponent(".local/share/jupyter")
    }
    return data.appendingPathComponent("kernels/nbrun")
  }

  /// `kernel.json` for the kernel program at `executable`.
  public static func json(executable: String) -> String {
    let spec: JSON = [
      "argv": [.string(executable), "-f", "{connection_file}"],
      "display_name": "nbrun",
      "language": "nbrun",
      "interrupt_mode": "message",
      "metadata": ["debugger": false],
    ]
    return String(decoding: spec.bytes, as: UTF8.self) + "\n"
  }

  /// Writes the kernelspec into `folder`, each file atomically; returns the files written.
  @discardableResult
  public static func install(executable: String, into folder: URL) throws -> [URL] {
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    var files: [(String, Data)] = [
      ("kernel.json", Data(json(executable: executable).utf8)),
      ("logo-svg.svg", Data(logoSVG.utf8)),
    ]
    for size in [32, 64] {
      if let png = logo(size: size).png { files.append(("logo-\(size)x\(size).png", Data(png))) }
    }
    var written: [URL] = []
    for (name, data) in files {
      let url = folder.appendingPathComponent(name)
      try data.write(to: url, options: .atomic)
      written.append(url)
    }
    return written
  }

  /// The logo: a 2–3–1 network, its nodes in the handouts' blue on white.
  static let nodes: [(x: Double, y: Double)] = [
    (0.2, 0.35), (0.2, 0.65), (0.5, 0.22), (0.5, 0.5), (0.5, 0.78), (0.8, 0.5),
  ]
  static let edges: [(Int, Int)] = [
    (0, 2), (0, 3), (0, 4), (1, 2), (1, 3), (1, 4), (2, 5), (3, 5), (4, 5),
  ]

  static var logoSVG: String {
    var svg =
      "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 64 64\" width=\"64\" height=\"64\">"
    svg += "<rect width=\"64\" height=\"64\" rx=\"10\" fill=\"#ffffff\"/>"
    for (a, b) in edges {
      svg +=
        "<line x1=\"\(nodes[a].x * 64)\" y1=\"\(nodes[a].y * 64)\" x2=\"\(nodes[b].x * 64)\" y2=\"\(nodes[b].y * 64)\" stroke=\"#8aa4c8\" stroke-width=\"2.5\"/>"
    }
    for node in nodes {
      svg += "<circle cx=\"\(node.x * 64)\" cy=\"\(node.y * 64)\" r=\"7\" fill=\"#1f5fa8\"/>"
    }
    return svg + "</svg>\n"
  }

  /// The logo as pixels: each pixel takes the colour of the nearest node or edge it lies on.
  static func logo(size: Int) -> RasterImage {
    var image = RasterImage(width: size, height: size)
    let scale = Double(size)
    for y in 0..<size {
      for x in 0..<size {
        let px = (Double(x) + 0.5) / scale
        let py = (Double(y) + 0.5) / scale
        var color = "#ffffff"
        for (a, b) in edges where distance(px, py, nodes[a], nodes[b]) < 0.022 {
          color = "#8aa4c8"
        }
        for node in nodes where hypot(px - node.x, py - node.y) < 0.11 { color = "#1f5fa8" }
        image.set(x: x, y: y, color: color)
      }
    }
    return image
  }

  /// The distance from a point to a segment.
  static func distance(
    _ x: Double, _ y: Double, _ a: (x: Double, y: Double), _ b: (x: Double, y: Double)
  ) -> Double {
    let dx = b.x - a.x
    let dy = b.y - a.y
    let t = max(0, min(1, ((x - a.x) * dx + (y - a.y) * dy) / (dx * dx + dy * dy)))
    return hypot(x - (a.x + t * dx), y - (a.y + t * dy))
  }
}
