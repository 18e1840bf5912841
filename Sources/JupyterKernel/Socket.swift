import CZMQ

/// A ZeroMQ socket (libzmq's C API): bind, send and receive multipart messages, poll.
/// A socket is used by one thread at a time, as ZeroMQ requires.
final class Socket: @unchecked Sendable {
  let handle: UnsafeMutableRawPointer
  let name: String

  /// The largest message a peer may send (libzmq drops the connection past it): a cell of
  /// 64 MB is far beyond any notebook, and no allocation follows a number a peer sends.
  static let maximumMessage: Int64 = 64 << 20
  /// The most frames one message may have.
  static let maximumFrames = 1_024

  init(context: UnsafeMutableRawPointer, type: Int32, name: String) throws {
    guard let handle = zmq_socket(context, type) else {
      throw KernelStartError("cannot make the \(name) socket: \(Self.lastError)")
    }
    self.handle = handle
    self.name = name
    var limit = Self.maximumMessage
    _ = zmq_setsockopt(handle, ZMQ_MAXMSGSIZE, &limit, MemoryLayout<Int64>.size)
    var linger: Int32 = 1000
    _ = zmq_setsockopt(handle, ZMQ_LINGER, &linger, MemoryLayout<Int32>.size)
  }

  func bind(_ address: String) throws {
    guard zmq_bind(handle, address) == 0 else {
      throw KernelStartError("cannot listen on \(address) (\(name)): \(Self.lastError)")
    }
  }

  func close() { zmq_close(handle) }

  /// Waits up to `milliseconds` for a message; whether one is there.
  func poll(milliseconds: Int) -> Bool {
    var item = zmq_pollitem_t(socket: handle, fd: 0, events: Int16(ZMQ_POLLIN), revents: 0)
    return zmq_poll(&item, 1, milliseconds) > 0 && item.revents & Int16(ZMQ_POLLIN) != 0
  }

  /// Every frame of the next message; `nil` on an error or past ``maximumFrames``.
  func receive() -> [[UInt8]]? {
    var frames: [[UInt8]] = []
    while true {
      var message = zmq_msg_t()
      zmq_msg_init(&message)
      defer { zmq_msg_close(&message) }
      guard zmq_msg_recv(&message, handle, 0) >= 0 else { return nil }
      let size = zmq_msg_size(&message)
      if let data = zmq_msg_data(&message), size > 0 {
        frames.append(Array(UnsafeRawBufferPointer(start: data, count: size)))
      } else {
        frames.append([])
      }
      let more = zmq_msg_more(&message) != 0
      if !more { break }
      if frames.count >= Self.maximumFrames {
        // Drain the rest of the message, keeping nothing.
        while zmq_msg_more(&message) != 0, zmq_msg_recv(&message, handle, 0) >= 0 {}
        return nil
      }
    }
    return frames
  }

  /// Sends the frames as one message.
  @discardableResult
  func send(_ frames: [[UInt8]]) -> Bool {
    for (index, frame) in frames.enumerated() {
      let flags = index < frames.count - 1 ? ZMQ_SNDMORE : 0
      let sent = frame.withUnsafeBytes { zmq_send(handle, $0.baseAddress, frame.count, flags) }
      if sent < 0 { return false }
    }
    return true
  }

  static var lastError: String {
    zmq_strerror(zmq_errno()).map { String(cString: $0) } ?? "error \(zmq_errno())"
  }
}
