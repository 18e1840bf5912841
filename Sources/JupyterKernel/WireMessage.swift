import Crypto
import Foundation

/// A kernel's connection file: where its five sockets listen and the key that signs its
/// messages (written by Jupyter when it starts the kernel).
public struct ConnectionInfo: Decodable, Sendable {
  public var ip: String
  public var transport: String
  public var shellPort: Int
  public var iopubPort: Int
  public var stdinPort: Int
  public var controlPort: Int
  public var hbPort: Int
  public var key: String
  public var signatureScheme: String

  enum CodingKeys: String, CodingKey {
    case ip, transport, key
    case shellPort = "shell_port"
    case iopubPort = "iopub_port"
    case stdinPort = "stdin_port"
    case controlPort = "control_port"
    case hbPort = "hb_port"
    case signatureScheme = "signature_scheme"
  }

  /// Reads a connection file; the error says what is wrong with it.
  public static func read(_ path: String) throws -> ConnectionInfo {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw KernelStartError("cannot read the connection file \(path)")
    }
    guard data.count < 1 << 20 else {
      throw KernelStartError("\(path) is over 1 MB; a connection file is a few hundred bytes")
    }
    do {
      let info = try JSONDecoder().decode(ConnectionInfo.self, from: data)
      guard info.signatureScheme == "hmac-sha256" || info.key.isEmpty else {
        throw KernelStartError(
          "\(path): signature_scheme is '\(info.signatureScheme)'; nbrun signs with hmac-sha256")
      }
      return info
    } catch let error as KernelStartError {
      throw error
    } catch {
      throw KernelStartError(
        "\(path) is not a Jupyter connection file (\(error)); expected ip, ports, key and signature_scheme"
      )
    }
  }

  /// The address of one port: `tcp://127.0.0.1:5555`.
  public func address(_ port: Int) -> String {
    transport == "ipc" ? "ipc://\(ip)-\(port)" : "\(transport)://\(ip):\(port)"
  }
}

/// Why the kernel could not start.
public struct KernelStartError: Error, CustomStringConvertible {
  public var description: String
  public init(_ description: String) { self.description = description }
}

/// One message of the Jupyter protocol as it travels: the routing identities, then
/// `<IDS|MSG>`, the signature, header, parent header, metadata and content (each JSON),
/// and binary buffers.
public struct WireMessage: Sendable {
  public var identities: [[UInt8]]
  public var header: JSON
  public var parent: JSON
  public var metadata: JSON
  public var content: JSON

  public var type: String { header["msg_type"].string ?? "" }

  static let delimiter = Array("<IDS|MSG>".utf8)

  /// The signature of the four JSON parts: HMAC-SHA256 with the connection's key, in hex;
  /// empty when the key is (signing switched off).
  static func signature(_ parts: [[UInt8]], key: [UInt8]) -> [UInt8] {
    guard !key.isEmpty else { return [] }
    var mac = HMAC<SHA256>(key: SymmetricKey(data: key))
    for part in parts { mac.update(data: part) }
    let digits = Array("0123456789abcdef".utf8)
    var hex: [UInt8] = []
    for byte in mac.finalize() {
      hex.append(digits[Int(byte >> 4)])
      hex.append(digits[Int(byte & 15)])
    }
    return hex
  }

  /// The frames to send.
  func frames(key: [UInt8]) -> [[UInt8]] {
    let parts = [header.bytes, parent.bytes, metadata.bytes, content.bytes]
    return identities + [Self.delimiter, Self.signature(parts, key: key)] + parts
  }

  /// A message read from frames, its signature checked; `nil` when the frames are not a
  /// message or the signature does not match (such a message is dropped, as ipykernel does).
  static func read(_ frames: [[UInt8]], key: [UInt8]) -> WireMessage? {
    guard let split = frames.firstIndex(of: delimiter), frames.count >= split + 6 else {
      return nil
    }
    let parts = Array(frames[(split + 2)..<(split + 6)])
    let expected = signature(parts, key: key)
    guard constantTimeEqual(expected, frames[split + 1]) else { return nil }
    guard let header = JSON.parse(parts[0]), let parent = JSON.parse(parts[1]),
      let metadata = JSON.parse(parts[2]), let content = JSON.parse(parts[3])
    else { return nil }
    return WireMessage(
      identities: Array(frames[..<split]), header: header, parent: parent, metadata: metadata,
      content: content)
  }

  static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
    guard a.count == b.count else { return false }
    var difference: UInt8 = 0
    for (x, y) in zip(a, b) { difference |= x ^ y }
    return difference == 0
  }
}
