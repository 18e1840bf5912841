import CZMQ
import Dispatch
import Foundation
import Synchronization

/// What a kernel's language does; the server does the protocol around it.
public protocol KernelLanguage: AnyObject {
  /// `kernel_info_reply`'s content, without `status` and `protocol_version`.
  func kernelInfo() -> JSON
  /// Runs a cell: publishes its outputs with `publish(type, content)`, returns the
  /// `execute_reply` content. `interrupted` turns true when the front end interrupts.
  func execute(
    code: String, silent: Bool, storeHistory: Bool, cellID: String?,
    interrupted: @escaping @Sendable () -> Bool, publish: (String, JSON) -> Void
  ) -> JSON
  func complete(code: String, cursor: Int) -> JSON
  func inspect(code: String, cursor: Int, detail: Int) -> JSON
  func isComplete(code: String) -> JSON
  /// Forgets everything (a restart the front end asks for without a new process).
  func reset()
}

/// A Jupyter kernel's server: the five channels of the messaging protocol (5.3) on the
/// ports of a connection file. Shell requests run one at a time on the calling thread;
/// control (interrupt, shutdown, kernel info) and the heartbeat have threads of their own,
/// so an interrupt reaches a cell while it runs.
public final class KernelServer: @unchecked Sendable {
  public static let protocolVersion = "5.3"

  let info: ConnectionInfo
  let key: [UInt8]
  let session = UUID().uuidString.lowercased()
  let language: KernelLanguage
  private let context: UnsafeMutableRawPointer
  private let shell: Socket
  private let control: Socket
  private let stdin: Socket
  private let iopub: Socket
  private let heartbeat: Socket
  /// IOPub is written by the shell thread and the control thread.
  private let iopubLock = NSLock()
  private let stopping = Atomic<Bool>(false)
  private let interrupting = Atomic<Bool>(false)
  private let running = Atomic<Bool>(false)
  private var threads: [Thread] = []
  private let finished = DispatchGroup()

  public init(connection info: ConnectionInfo, language: KernelLanguage) throws {
    self.info = info
    key = Array(info.key.utf8)
    self.language = language
    guard let context = zmq_ctx_new() else {
      throw KernelStartError("cannot start ZeroMQ: \(Socket.lastError)")
    }
    self.context = context
    shell = try Socket(context: context, type: ZMQ_ROUTER, name: "shell")
    control = try Socket(context: context, type: ZMQ_ROUTER, name: "control")
    stdin = try Socket(context: context, type: ZMQ_ROUTER, name: "stdin")
    iopub = try Socket(context: context, type: ZMQ_PUB, name: "iopub")
    heartbeat = try Socket(context: context, type: ZMQ_REP, name: "heartbeat")
    try shell.bind(info.address(info.shellPort))
    try control.bind(info.address(info.controlPort))
    try stdin.bind(info.address(info.stdinPort))
    try iopub.bind(info.address(info.iopubPort))
    try heartbeat.bind(info.address(info.hbPort))
  }

  /// Asks a running cell to stop (a SIGINT, when the front end interrupts by signal).
  public func interrupt() {
    if running.load(ordering: .relaxed) { interrupting.store(true, ordering: .relaxed) }
  }

  /// Serves until a `shutdown_request`; returns then, every socket closed.
  public func serve() {
    publish("status", ["execution_state": "starting"], parent: .object([:]))
    start("nbrun-heartbeat") { [self] in
      while !stopping.load(ordering: .relaxed) {
        guard heartbeat.poll(milliseconds: 100), let frames = heartbeat.receive() else { continue }
        heartbeat.send(frames)
      }
    }
    start("nbrun-control") { [self] in
      while !stopping.load(ordering: .relaxed) {
        guard control.poll(milliseconds: 100), let frames = control.receive(),
          let message = WireMessage.read(frames, key: key)
        else { continue }
        handle(message, on: control)
      }
    }
    // A kernel whose parent (the Jupyter server, a notebook client) has gone ends too, as
    // ipykernel's parent poller does: otherwise it would serve no one, for ever. Jupyter
    // names the parent in JPY_PARENT_PID (it may be gone before the kernel gets here).
    let parent = getenv("JPY_PARENT_PID").flatMap { Int32(String(cString: $0)) } ?? getppid()
    while !stopping.load(ordering: .relaxed) {
      if getppid() != parent {
        stopping.store(true, ordering: .relaxed)
        break
      }
      guard shell.poll(milliseconds: 100), let frames = shell.receive(),
        let message = WireMessage.read(frames, key: key)
      else { continue }
      handle(message, on: shell)
    }
    finished.wait()
    for socket in [shell, control, stdin, iopub, heartbeat] { socket.close() }
    zmq_ctx_term(context)
  }

  private func start(_ name: String, _ body: @escaping @Sendable () -> Void) {
    finished.enter()
    let group = finished
    let thread = Thread {
      body()
      group.leave()
    }
    thread.name = name
    thread.start()
    threads.append(thread)
  }

  /// One request, on the channel it came on: status busy, the reply, status idle.
  private func handle(_ request: WireMessage, on socket: Socket) {
    let parent = request.header
    publish("status", ["execution_state": "busy"], parent: parent)
    defer { publish("status", ["execution_state": "idle"], parent: parent) }
    let content = request.content
    switch request.type {
    case "kernel_info_request":
      var reply = language.kernelInfo()
      if case .object(var object) = reply {
        object["status"] = "ok"
        object["protocol_version"] = .string(Self.protocolVersion)
        reply = .object(object)
      }
      send("kernel_info_reply", reply, to: request, on: socket)
    case "execute_request":
      let code = content["code"].string ?? ""
      let silent = content["silent"].bool ?? false
      let cellID = request.metadata["cellId"].string
      interrupting.store(false, ordering: .relaxed)
      running.store(true, ordering: .relaxed)
      let reply = language.execute(
        code: code, silent: silent, storeHistory: content["store_history"].bool ?? !silent,
        cellID: cellID, interrupted: { [self] in interrupting.load(ordering: .relaxed) },
        publish: { type, body in
          if !silent { publish(type, body, parent: parent) }
        })
      running.store(false, ordering: .relaxed)
      interrupting.store(false, ordering: .relaxed)
      send("execute_reply", reply, to: request, on: socket)
    case "complete_request":
      send(
        "complete_reply",
        language.complete(
          code: content["code"].string ?? "", cursor: content["cursor_pos"].int ?? 0),
        to: request, on: socket)
    case "inspect_request":
      send(
        "inspect_reply",
        language.inspect(
          code: content["code"].string ?? "", cursor: content["cursor_pos"].int ?? 0,
          detail: content["detail_level"].int ?? 0), to: request, on: socket)
    case "is_complete_request":
      send(
        "is_complete_reply", language.isComplete(code: content["code"].string ?? ""),
        to: request, on: socket)
    case "history_request":
      send("history_reply", ["status": "ok", "history": []], to: request, on: socket)
    case "comm_info_request":
      send("comm_info_reply", ["status": "ok", "comms": [:]], to: request, on: socket)
    case "interrupt_request":
      interrupt()
      send("interrupt_reply", ["status": "ok"], to: request, on: socket)
    case "shutdown_request":
      let restart = content["restart"].bool ?? false
      send("shutdown_reply", ["status": "ok", "restart": .bool(restart)], to: request, on: socket)
      // A restart is a new process (jupyter_client starts one after this one exits).
      language.reset()
      stopping.store(true, ordering: .relaxed)
    default:
      // A request this kernel does not know gets no reply, as the protocol says.
      break
    }
  }

  private func header(_ type: String) -> JSON {
    [
      "msg_id": .string(UUID().uuidString.lowercased()), "session": .string(session),
      "username": "nbrun", "date": .string(Self.now()), "msg_type": .string(type),
      "version": .string(Self.protocolVersion),
    ]
  }

  private func send(_ type: String, _ content: JSON, to request: WireMessage, on socket: Socket) {
    let message = WireMessage(
      identities: request.identities, header: header(type), parent: request.header,
      metadata: [:], content: content)
    socket.send(message.frames(key: key))
  }

  /// Publishes on IOPub, the topic the message's type (as ipykernel does).
  func publish(_ type: String, _ content: JSON, parent: JSON) {
    let message = WireMessage(
      identities: [Array("kernel.\(session).\(type)".utf8)], header: header(type),
      parent: parent, metadata: [:], content: content)
    iopubLock.lock()
    iopub.send(message.frames(key: key))
    iopubLock.unlock()
  }

  /// The time as the protocol writes it (ISO 8601, UTC, milliseconds).
  static func now() -> String {
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    return formatter.string(from: Date())
  }
}
