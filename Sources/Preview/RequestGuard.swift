import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// The preview's front door on 127.0.0.1:PORT. FlyingFox reads a request's line and
/// headers without bounds (a 50 MB header line, 10⁵ headers, a URL of megabytes kept it
/// busy for minutes and starved every later request), so the browser never talks to it
/// directly: this guard reads each request's head itself, within ``Limits``, refuses what a
/// tab never sends (a body, a head too long or too slow, more connections than tabs), and
/// only then passes the head on to FlyingFox, which listens on an abstract Unix socket —
/// no file on disk, and no address a web page can reach.
///
/// A connection is one request: the head passed on says `Connection: close`, so a second
/// request on the same socket cannot slip past the guard. The live-update socket
/// (`Upgrade: websocket`) stays open, its frames from the tab passed on up to a bound.
final class RequestGuard: @unchecked Sendable {
  /// What one request may be.
  struct Limits: Sendable {
    /// The request line and headers together, in bytes (browsers send about 1 KB).
    var headBytes = 16_384
    /// Header lines.
    var headerLines = 100
    /// Seconds to send the whole head (a client that trickles it is dropped).
    var headSeconds = 5.0
    /// Seconds a plain request may take, answer included.
    var requestSeconds = 30.0
    /// Bytes a tab may send on the live-update socket (it sends none but a close).
    var socketBytes = 65_536
    /// Connections open at once (a tab holds two).
    var connections = 64
  }

  let limits: Limits
  /// The port the guard listens on.
  let port: UInt16
  private let listener: Int32
  private let upstream: String
  private let lock = NSLock()
  private var open = 0
  private var stopped = false

  /// Listens on 127.0.0.1:`port` (0: a free one) for a server on the abstract Unix socket
  /// `upstream`.
  init(port: UInt16, upstream: String, limits: Limits = Limits()) throws {
    self.limits = limits
    self.upstream = upstream
    let socket = Glibc.socket(
      AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    guard socket >= 0 else { throw GuardError("cannot open a socket", errno) }
    var yes: Int32 = 1
    setsockopt(socket, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = port.bigEndian
    address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
    let bound = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        bind(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
      }
    }
    guard bound == 0, listen(socket, 64) == 0 else {
      let error = GuardError("cannot listen", errno)
      close(socket)
      throw error
    }
    var actual = sockaddr_in()
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &actual) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socket, $0, &length) }
    }
    self.port = UInt16(bigEndian: actual.sin_port)
    listener = socket
  }

  /// Accepts connections on a thread of its own until ``stop()``.
  func start() {
    let thread = Thread { [self] in acceptLoop() }
    thread.name = "nbrun preview guard"
    thread.start()
  }

  /// Stops accepting; connections already open end on their own bounds.
  func stop() {
    let first = lock.withLock {
      defer { stopped = true }
      return !stopped
    }
    if first {
      shutdown(listener, Int32(SHUT_RDWR))
      close(listener)
    }
  }

  private var isStopped: Bool { lock.withLock { stopped } }

  private func acceptLoop() {
    while !isStopped {
      let client = accept(listener, nil, nil)
      guard client >= 0 else {
        if errno == EINTR || errno == ECONNABORTED { continue }
        if isStopped { return }
        // Out of descriptors: wait for connections to close rather than spin.
        Thread.sleep(forTimeInterval: 0.05)
        continue
      }
      let admitted = lock.withLock {
        guard open < limits.connections else { return false }
        open += 1
        return true
      }
      guard admitted else {
        Self.answer(client, 503, "nbrun preview has too many connections open; close a tab")
        close(client)
        continue
      }
      let thread = Thread { [self] in
        serve(client)
        close(client)
        lock.withLock { open -= 1 }
      }
      thread.name = "nbrun preview connection"
      thread.start()
    }
  }

  /// Reads one request's head within the limits, refuses it or passes it on, and relays
  /// the answer (and, for the live-update socket, the frames both ways).
  private func serve(_ client: Int32) {
    var head: [UInt8] = []
    head.reserveCapacity(2_048)
    let began = Date()
    var buffer = [UInt8](repeating: 0, count: 4_096)
    var end: Int?
    while end == nil {
      let left = limits.headSeconds - Date().timeIntervalSince(began)
      guard left > 0, Self.wait(client, seconds: left) else {
        Self.answer(client, 408, "the request's head took longer than \(Int(limits.headSeconds)) s")
        return
      }
      let count = buffer.withUnsafeMutableBytes { recv(client, $0.baseAddress, $0.count, 0) }
      guard count > 0 else { return }
      let searchFrom = max(0, head.count - 3)
      head += buffer[0..<count]
      end = Self.endOfHead(head, from: searchFrom)
      if (end ?? head.count) > limits.headBytes {
        Self.answer(client, 431, "the request's head is over \(limits.headBytes) bytes")
        return
      }
    }
    guard let end else { return }
    let rest = Array(head[end...])
    let text = String(decoding: head[..<end], as: UTF8.self)
    let lines = text.split(separator: "\r\n", omittingEmptySubsequences: true)
    guard lines.count - 1 <= limits.headerLines else {
      Self.answer(client, 431, "the request has over \(limits.headerLines) headers")
      return
    }
    guard let requestLine = lines.first,
      requestLine.split(separator: " ").count == 3,
      requestLine.hasPrefix("GET ") || requestLine.hasPrefix("HEAD ")
    else {
      Self.answer(client, 405, "nbrun preview answers GET requests only")
      return
    }
    var upgrade = false
    var kept: [Substring] = [requestLine]
    for line in lines.dropFirst() {
      let name = line.prefix { $0 != ":" }.trimmingCharacters(in: .whitespaces).lowercased()
      let value = line.drop { $0 != ":" }.dropFirst().trimmingCharacters(in: .whitespaces)
      switch name {
      case "content-length" where value != "0", "transfer-encoding":
        Self.answer(client, 413, "nbrun preview takes no request bodies")
        return
      case "upgrade": upgrade = value.lowercased() == "websocket"
      case "connection", "keep-alive": continue
      default: break
      }
      kept.append(line)
    }
    // One request a connection: the next one on this socket would not pass the guard.
    kept.append(upgrade ? "Connection: Upgrade" : "Connection: close")
    guard let server = connectUpstream() else {
      Self.answer(client, 503, "the preview is starting; reload in a moment")
      return
    }
    defer { close(server) }
    let passed = Array((kept.joined(separator: "\r\n") + "\r\n\r\n").utf8)
    guard Self.send(server, passed) else { return }
    if upgrade {
      guard rest.count <= limits.socketBytes, Self.send(server, rest) else { return }
      relay(client, server, allowance: limits.socketBytes - rest.count, seconds: nil)
    } else {
      // Whatever else the client sends on this connection is not read: it is not passed on.
      relay(client, server, allowance: nil, seconds: limits.requestSeconds)
    }
  }

  /// Copies the server's answer to the client until either side closes or `seconds` pass;
  /// with an `allowance`, up to that many bytes the other way too (a tab's socket frames),
  /// and the connection ends when the client sends more.
  private func relay(_ client: Int32, _ server: Int32, allowance: Int?, seconds: Double?) {
    let began = Date()
    var allowance = allowance ?? 0
    let readsClient = allowance > 0
    var buffer = [UInt8](repeating: 0, count: 65_536)
    var fds = [
      pollfd(fd: server, events: Int16(POLLIN), revents: 0),
      pollfd(fd: client, events: Int16(POLLIN), revents: 0),
    ]
    while !isStopped {
      if let seconds, Date().timeIntervalSince(began) > seconds { return }
      fds[0].revents = 0
      fds[1].revents = 0
      let ready = poll(&fds, readsClient ? 2 : 1, 1_000)
      if ready < 0, errno != EINTR { return }
      guard ready > 0 else { continue }
      if fds[0].revents != 0 {
        let count = buffer.withUnsafeMutableBytes { recv(server, $0.baseAddress, $0.count, 0) }
        guard count > 0, Self.send(client, Array(buffer[0..<count])) else { return }
      }
      if readsClient, fds[1].revents != 0 {
        let count = buffer.withUnsafeMutableBytes { recv(client, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return }
        // A plain request has said all it may; a tab's socket sends a close, little more.
        guard count <= allowance else { return }
        allowance -= count
        guard Self.send(server, Array(buffer[0..<count])) else { return }
      }
    }
  }

  private func connectUpstream() -> Int32? {
    let socket = Glibc.socket(
      AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    guard socket >= 0 else { return nil }
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    // An abstract name: a zero byte first, then the name (no file on disk).
    let name = Array(upstream.utf8)
    let capacity = MemoryLayout.size(ofValue: address.sun_path)
    guard name.count + 1 < capacity else {
      close(socket)
      return nil
    }
    withUnsafeMutableBytes(of: &address.sun_path) { path in
      path[0] = 0
      for (k, byte) in name.enumerated() { path[k + 1] = byte }
    }
    // The whole structure, zeros included: FlyingFox binds the name so.
    let length = socklen_t(MemoryLayout<sockaddr_un>.size)
    let connected = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, length) }
    }
    guard connected == 0 else {
      close(socket)
      return nil
    }
    return socket
  }

  /// Where a request's head ends (past its blank line), searching from `from`.
  static func endOfHead(_ bytes: [UInt8], from: Int) -> Int? {
    guard bytes.count >= 4 else { return nil }
    var k = from
    while k + 3 < bytes.count {
      if bytes[k] == 13, bytes[k + 1] == 10, bytes[k + 2] == 13, bytes[k + 3] == 10 { return k + 4 }
      k += 1
    }
    return nil
  }

  /// Whether `socket` has something to read within `seconds`.
  static func wait(_ socket: Int32, seconds: Double) -> Bool {
    var fd = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
    let milliseconds = Int32(max(1, min(seconds * 1_000, 60_000)))
    while true {
      let ready = poll(&fd, 1, milliseconds)
      if ready < 0, errno == EINTR { continue }
      return ready > 0
    }
  }

  /// Sends all of `bytes`; `false` when the other side has gone.
  static func send(_ socket: Int32, _ bytes: [UInt8]) -> Bool {
    var sent = 0
    while sent < bytes.count {
      let count = bytes.withUnsafeBytes {
        Glibc.send(
          socket, $0.baseAddress.map { $0 + sent }, bytes.count - sent, Int32(MSG_NOSIGNAL))
      }
      if count < 0, errno == EINTR { continue }
      guard count > 0 else { return false }
      sent += count
    }
    return true
  }

  /// A short plain-text refusal, then the connection closes.
  static func answer(_ socket: Int32, _ status: Int, _ reason: String) {
    let phrase =
      [
        405: "Method Not Allowed", 408: "Request Timeout", 413: "Content Too Large",
        431: "Request Header Fields Too Large", 503: "Service Unavailable",
      ][status] ?? "Bad Request"
    let body = "nbrun preview: \(reason)\n"
    let text =
      "HTTP/1.1 \(status) \(phrase)\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)"
    _ = send(socket, Array(text.utf8))
  }
}

/// A socket call that failed, with the system's reason.
struct GuardError: Error, CustomStringConvertible {
  let description: String

  init(_ what: String, _ code: Int32) {
    description = "\(what): \(String(cString: strerror(code)))"
  }
}
