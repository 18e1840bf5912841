import ArgumentParser
import CommandLineSupport
import Foundation
import Runner

/// `nbrun preview NOTEBOOK`: runs `nbrun-preview`, installed beside `nbrun`. The server
/// is a program of its own so that `nbrun` itself links no networking (its start-up and
/// memory stay those of a renderer).
struct Preview: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "preview",
    abstract: "Serves a notebook's page on 127.0.0.1 and updates it in the open tab on every save.",
    discussion: "See nbrun preview --help for its options.")

  @Argument(parsing: .captureForPassthrough, help: "The notebook, and nbrun-preview's options.")
  var arguments: [String] = []

  func run() throws {
    try runSibling("nbrun-preview", command: "preview", arguments: arguments)
  }
}

/// `nbrun kernel`: runs `nbrun-kernel`, installed beside `nbrun` (it links ZeroMQ and
/// swift-crypto, which the renderer does without).
struct Kernel: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "kernel",
    abstract: "The nbrun Jupyter kernel (nbrun kernel install writes its kernelspec).",
    discussion: "See nbrun kernel --help for its options.")

  @Argument(parsing: .captureForPassthrough, help: "nbrun-kernel's arguments.")
  var arguments: [String] = []

  func run() throws {
    try runSibling("nbrun-kernel", command: "kernel", arguments: arguments)
  }
}

/// Replaces this process with `program`, installed beside `nbrun`.
func runSibling(_ program: String, command: String, arguments: [String]) throws {
  let path = runningExecutable.deletingLastPathComponent().appendingPathComponent(program).path
  guard FileManager.default.isExecutableFile(atPath: path) else {
    printError(
      "nbrun \(command): \(path) is missing; build it beside nbrun (swift build -c release --static-swift-stdlib --product \(program), as scripts/nbrun \(command) does) or install nbrun with scripts/install, which installs it"
    )
    throw ExitCode(Verdict.notebookErrors.rawValue)
  }
  var pointers = ([path] + arguments).map { strdup($0) }
  pointers.append(nil)
  execv(path, &pointers)
  printError("nbrun \(command): cannot run \(path) (error \(errno))")
  throw ExitCode(Verdict.notebookErrors.rawValue)
}
