import CommandLineSupport
import JupyterKernel
import Rendering

/// The nbrun kernel's language on Jupyter's wire: a ``KernelSession`` answering the
/// protocol's requests.
public final class NBRunLanguage: KernelLanguage {
  public let session: KernelSession

  public init(session: KernelSession) {
    self.session = session
  }

  public func kernelInfo() -> JSON {
    [
      "implementation": "nbrun", "implementation_version": .string(BuildIdentity.version),
      "language_info": [
        "name": "nbrun", "version": .string(BuildIdentity.version),
        "mimetype": "text/x-nbrun", "file_extension": ".md", "pygments_lexer": "yaml",
        "codemirror_mode": "yaml",
      ],
      "banner": .string(
        "nbrun \(BuildIdentity.version): directive cells (model, forward, backward, train, plot, expect, …) run in one namespace, with the handout's tables and figures."
      ),
      "help_links": [
        [
          "text": "Directive reference",
          "url": "https://github.com/nbrun/nbrun/blob/main/docs/directives.md",
        ]
      ],
    ]
  }

  public func execute(
    code: String, silent: Bool, storeHistory: Bool, cellID: String?,
    interrupted: @escaping @Sendable () -> Bool, publish: (String, JSON) -> Void
  ) -> JSON {
    let count = session.executionCount + (storeHistory ? 1 : 0)
    publish("execute_input", ["code": .string(code), "execution_count": .int(count)])
    let reply = session.execute(
      code, cellID: cellID, storeHistory: storeHistory, interrupted: interrupted)
    for display in reply.displays {
      var data: [String: JSON] = ["text/plain": .string(display.plain)]
      if !display.markdown.isEmpty { data["text/markdown"] = .string(display.markdown) }
      if !display.html.isEmpty { data["text/html"] = .string(display.html) }
      let metadata: JSON = display.block.map { ["nbrun": ["block": .string($0)]] } ?? [:]
      publish("display_data", ["data": .object(data), "metadata": metadata, "transient": [:]])
    }
    if !reply.notes.isEmpty {
      publish(
        "stream", ["name": "stderr", "text": .string(reply.notes.joined(separator: "\n") + "\n")])
    }
    let stale: JSON = .array(reply.stale.map { .int($0) })
    if let failure = reply.failure {
      publish(
        "error",
        [
          "ename": .string(failure.name), "evalue": .string(failure.value),
          "traceback": .array(failure.traceback.map { .string($0) }),
        ])
      return [
        "status": "error", "execution_count": .int(reply.executionCount),
        "ename": .string(failure.name), "evalue": .string(failure.value),
        "traceback": .array(failure.traceback.map { .string($0) }), "nbrun_stale": stale,
      ]
    }
    return [
      "status": "ok", "execution_count": .int(reply.executionCount), "user_expressions": [:],
      "payload": [], "nbrun_stale": stale,
    ]
  }

  public func complete(code: String, cursor: Int) -> JSON {
    let completion = session.complete(code, cursor: cursor)
    return [
      "status": "ok", "matches": .array(completion.matches.map { .string($0) }),
      "cursor_start": .int(completion.start), "cursor_end": .int(completion.end),
      "metadata": [:],
    ]
  }

  public func inspect(code: String, cursor: Int, detail: Int) -> JSON {
    guard let text = session.inspect(code, cursor: cursor) else {
      return ["status": "ok", "found": false, "data": [:], "metadata": [:]]
    }
    return [
      "status": "ok", "found": true,
      "data": ["text/markdown": .string(text), "text/plain": .string(text)], "metadata": [:],
    ]
  }

  public func isComplete(code: String) -> JSON {
    let status = session.isComplete(code)
    return status == "incomplete" ? ["status": "incomplete", "indent": ""] : ["status": "complete"]
  }

  public func reset() {
    session.reset()
  }
}
