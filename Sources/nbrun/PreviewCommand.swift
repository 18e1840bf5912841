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
    let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
    let server = executable.deletingLastPathComponent().appendingPathComponent("nbrun-preview")
    guard FileManager.default.isExecutableFile(atPath: server.path) else {
      printError(
        "nbrun preview: \(server.path) is missing; build it (swift build) or install nbrun with scripts/install, which installs both"
      )
      throw ExitCode(Verdict.notebookErrors.rawValue)
    }
    var pointers = ([server.path] + arguments).map { strdup($0) }
    pointers.append(nil)
    execv(server.path, &pointers)
    printError("nbrun preview: cannot run \(server.path) (error \(errno))")
    throw ExitCode(Verdict.notebookErrors.rawValue)
  }
}
