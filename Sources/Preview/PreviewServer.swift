import Dispatch
import FlyingFox
import Foundation
import Rendering

/// `nbrun preview`: serves a notebook's page on 127.0.0.1, re-renders it when the notebook
/// or a data file it reads changes, and pushes the new page's version to every open tab
/// over a WebSocket; the tab fetches the page and swaps its body in place, keeping the
/// scroll position. A notebook with errors keeps the last good page on screen, with the
/// located messages in a banner above it.
///
/// FlyingFox serves HTTP and WebSockets with nothing but the system's sockets (no
/// SwiftNIO), so it adds seconds, not minutes, to a build.
///
/// Browsers reach FlyingFox only through a ``RequestGuard``, which bounds every request's
/// head, time and size; FlyingFox itself listens on an abstract Unix socket.
public final class PreviewServer: Sendable {
  public let renderer: PreviewRenderer
  let state = PreviewState()
  private let server: HTTPServer
  private let front: RequestGuard

  /// A server for `renderer` on 127.0.0.1:`port` (0: any free port; see ``address()``).
  public init(renderer: PreviewRenderer, port: UInt16) throws {
    self.renderer = renderer
    let name = "nbrun-preview-\(getpid())-\(UUID().uuidString)"
    server = HTTPServer(address: .unix(abstractNamespace: name), logger: .disabled)
    front = try RequestGuard(port: port, upstream: name)
  }

  /// Renders once, then serves and watches until the task is cancelled.
  public func run() async throws {
    let state = state
    state.update(renderer.render())
    let server = server
    let port = front.port
    let hosts: Set<String> = ["127.0.0.1:\(port)", "localhost:\(port)", "[::1]:\(port)"]
    await server.appendRoute(
      "GET /",
      to: LocalOnly(hosts: hosts) { _ in
        HTTPResponse(
          statusCode: .ok,
          headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
          body: Data(state.servedPage().utf8))
      })
    await server.appendRoute(
      "GET /status",
      to: LocalOnly(hosts: hosts) { _ in
        HTTPResponse(
          statusCode: .ok,
          headers: [.contentType: "application/json", .cacheControl: "no-store"],
          body: state.statusJSON())
      })
    let push: WebSocketHTTPHandler = .webSocket(VersionPush(state: state))
    await server.appendRoute(
      "GET /socket", to: LocalOnly(hosts: hosts) { try await push.handleRequest($0) })
    let watcher = Watcher(renderer: renderer, state: state)
    watcher.start()
    front.start()
    defer {
      watcher.stop()
      front.stop()
    }
    try await server.run()
  }

  /// Waits until the server listens; returns `http://127.0.0.1:PORT/`.
  public func address() async throws -> String {
    try await server.waitUntilListening()
    return "http://127.0.0.1:\(front.port)/"
  }

  /// Stops serving (open connections are closed).
  public func stop() async {
    front.stop()
    await server.stop(timeout: 1)
  }
}

/// The page shown now, its version, the messages of the last render, and the open tabs.
final class PreviewState: @unchecked Sendable {
  private let lock = NSLock()
  private var version = 0
  private var page: String?
  private var messages: [String] = []
  private var watched: [URL] = []
  private var listeners: [UUID: AsyncStream<WSMessage>.Continuation] = [:]

  /// Takes a render's result: a good page replaces the one shown; messages replace the
  /// banner's. Every open tab is told the new version.
  func update(_ rendition: Rendition) {
    let (version, listeners) = lock.withLock {
      self.version += 1
      if let page = rendition.page { self.page = page }
      messages = rendition.messages
      watched = rendition.watched
      return (self.version, Array(self.listeners.values))
    }
    for listener in listeners { listener.yield(.text(String(version))) }
  }

  var watchedFiles: [URL] { lock.withLock { watched } }

  func listen(_ continuation: AsyncStream<WSMessage>.Continuation) -> UUID {
    let id = UUID()
    let version = lock.withLock {
      listeners[id] = continuation
      return self.version
    }
    continuation.yield(.text(String(version)))
    return id
  }

  func forget(_ id: UUID) { _ = lock.withLock { listeners.removeValue(forKey: id) } }

  /// The page with the preview's banner and script, or a page of messages alone when the
  /// notebook has not rendered yet.
  func servedPage() -> String {
    let (version, page, messages) = lock.withLock { (self.version, self.page, self.messages) }
    let banner = PreviewPage.banner(messages)
    guard let page else {
      return PreviewPage.waiting(banner: banner, version: version)
    }
    return PreviewPage.inject(into: page, banner: banner, version: version)
  }

  func statusJSON() -> Data {
    let (version, messages, rendered) = lock.withLock { (self.version, self.messages, page != nil) }
    let object: [String: Any] = ["version": version, "messages": messages, "rendered": rendered]
    return (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
  }
}

/// Sends each new version to a tab; what the tab sends is ignored.
struct VersionPush: WSMessageHandler {
  let state: PreviewState

  func makeMessages(for client: AsyncStream<WSMessage>) async throws -> AsyncStream<WSMessage> {
    let (stream, continuation) = AsyncStream<WSMessage>.makeStream()
    let id = state.listen(continuation)
    let state = state
    Task {
      for await message in client {
        if case .close = message { break }
      }
      state.forget(id)
      continuation.finish()
    }
    return stream
  }
}

/// Polls the notebook and the data files it read (size and modification time) every
/// 150 ms and re-renders when one changes. Polling works on every file system, editors'
/// save-by-rename included.
final class Watcher: @unchecked Sendable {
  private let renderer: PreviewRenderer
  private let state: PreviewState
  private let lock = NSLock()
  private var running = true

  init(renderer: PreviewRenderer, state: PreviewState) {
    self.renderer = renderer
    self.state = state
  }

  func start() {
    let thread = Thread { [self] in loop() }
    thread.name = "nbrun preview watcher"
    thread.start()
  }

  func stop() { lock.withLock { running = false } }

  private var isRunning: Bool { lock.withLock { running } }

  private func loop() {
    var stamps = Self.stamps(state.watchedFiles)
    while isRunning {
      Thread.sleep(forTimeInterval: 0.15)
      let now = Self.stamps(state.watchedFiles)
      guard now != stamps else { continue }
      // An editor may write a file in several steps: wait until it holds still.
      Thread.sleep(forTimeInterval: 0.05)
      state.update(renderer.render())
      stamps = Self.stamps(state.watchedFiles)
    }
  }

  /// Size and modification time of each file (absent files included, as absent).
  static func stamps(_ files: [URL]) -> [String] {
    files.map { url in
      var info = stat()
      guard stat(url.path, &info) == 0 else { return "\(url.path) absent" }
      return "\(url.path) \(info.st_size) \(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec)"
    }
  }
}

/// Answers only requests addressed to the loopback names with the served port
/// (`127.0.0.1:PORT`, `localhost:PORT`, `[::1]:PORT`), and, when a browser says where a
/// request comes from (`Origin`), only from those: a page on another site whose name is made
/// to resolve to 127.0.0.1 (DNS rebinding) cannot read the lecture or its live updates.
struct LocalOnly: HTTPHandler {
  let hosts: Set<String>
  let inner: @Sendable (HTTPRequest) async throws -> HTTPResponse

  init(
    hosts: Set<String>,
    _ inner: @escaping @Sendable (HTTPRequest) async throws -> HTTPResponse
  ) {
    self.hosts = hosts
    self.inner = inner
  }

  func handleRequest(_ request: HTTPRequest) async throws -> HTTPResponse {
    let allowed = hosts
    guard let host = request.headers[HTTPHeader("Host")]?.lowercased(), allowed.contains(host)
    else {
      return HTTPResponse(
        statusCode: .misdirectedRequest, headers: [.contentType: "text/plain"],
        body: Data("nbrun preview answers 127.0.0.1, localhost and [::1] only\n".utf8))
    }
    if let origin = request.headers[HTTPHeader("Origin")]?.lowercased() {
      let place = origin.hasPrefix("http://") ? String(origin.dropFirst("http://".count)) : origin
      guard allowed.contains(place) else {
        return HTTPResponse(statusCode: .forbidden, headers: [.contentType: "text/plain"])
      }
    }
    return try await inner(request)
  }
}
