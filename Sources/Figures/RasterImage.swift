import CZlib
import Foundation

/// A small RGB image, written as a PNG for an SVG `<image>`: the smooth shading under a
/// field plot, which the browser scales up with bilinear filtering, so a 60 × 60 grid of
/// values reads as a continuous surface with no cell edges.
public struct RasterImage: Sendable {
  public let width: Int
  public let height: Int
  /// Row-major RGB triples, top row first.
  private var pixels: [UInt8]

  public init(width: Int, height: Int) {
    self.width = max(1, width)
    self.height = max(1, height)
    pixels = Array(repeating: 255, count: self.width * self.height * 3)
  }

  /// Sets pixel (x, y), y counted from the top, to a colour `#rrggbb`.
  public mutating func set(x: Int, y: Int, color: String) {
    guard (0..<width).contains(x), (0..<height).contains(y) else { return }
    let hex = Array(color.utf8.dropFirst())
    guard hex.count == 6 else { return }
    func byte(_ k: Int) -> UInt8 {
      func nibble(_ c: UInt8) -> UInt8 {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: 0
        }
      }
      return nibble(hex[k]) << 4 | nibble(hex[k + 1])
    }
    let at = (y * width + x) * 3
    pixels[at] = byte(0)
    pixels[at + 1] = byte(2)
    pixels[at + 2] = byte(4)
  }

  /// The image as PNG bytes (8-bit RGB, no filtering, zlib-compressed), or nil if zlib fails.
  public var png: [UInt8]? {
    var raw: [UInt8] = []
    raw.reserveCapacity(height * (width * 3 + 1))
    for y in 0..<height {
      raw.append(0)  // filter: none
      raw += pixels[(y * width * 3)..<((y + 1) * width * 3)]
    }
    var capacity = compressBound(uLong(raw.count))
    var compressed = [UInt8](repeating: 0, count: Int(capacity))
    let status = compressed.withUnsafeMutableBufferPointer { out in
      raw.withUnsafeBufferPointer { input in
        compress2(out.baseAddress, &capacity, input.baseAddress, uLong(raw.count), 9)
      }
    }
    guard status == Z_OK else { return nil }
    compressed.removeSubrange(Int(capacity)...)
    var header: [UInt8] = []
    header += Self.bigEndian(UInt32(width)) + Self.bigEndian(UInt32(height))
    header += [8, 2, 0, 0, 0]  // 8-bit depth, RGB, deflate, no filter, no interlace
    var out: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
    out += Self.chunk("IHDR", header) + Self.chunk("IDAT", compressed) + Self.chunk("IEND", [])
    return out
  }

  /// A `data:` URL of the PNG, for an SVG `<image href>`.
  public var dataURL: String? {
    png.map { "data:image/png;base64," + Data($0).base64EncodedString() }
  }

  private static func chunk(_ type: String, _ body: [UInt8]) -> [UInt8] {
    let typed = Array(type.utf8) + body
    let crc = typed.withUnsafeBufferPointer { crc32(0, $0.baseAddress, uInt($0.count)) }
    return bigEndian(UInt32(body.count)) + typed + bigEndian(UInt32(truncatingIfNeeded: crc))
  }

  private static func bigEndian(_ value: UInt32) -> [UInt8] {
    [
      UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF),
      UInt8(value & 0xFF),
    ]
  }
}
