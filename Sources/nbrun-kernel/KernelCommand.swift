import ArgumentParser
import CommandLineSupport
import Foundation
import JupyterKernel
import NotebookKernel
import Runner

/// `nbrun kernel -f CONNECTION_FILE`: the nbrun Jupyter kernel, started by Jupyter from
/// the kernelspec `nbrun kernel install` writes.
@main
struct KernelCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "nbrun kernel",
    abstract:
      "The nbrun Jupyter kernel: directive cells run one by one in JupyterLab, Notebook, VS Code and jupyter console.",
    discussion:
      "Jupyter starts it with a connection file (-f); `nbrun kernel install` writes the kernelspec that tells Jupyter how. Each cell is a directive block (its fence optional), a front matter, or prose with blocks; see README, \"nbrun as a Jupyter kernel\".",
    version: BuildIdentity.version,
    subcommands: [Serve.self, Install.self], defaultSubcommand: Serve.self)

  static func main() {
    OpenBLASKernel.ensure(.portable)
    main(nil)
  }
}

/// The kernel itself.
struct Serve: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "serve", abstract: "Serves the connection file's five channels until shut down.")

  @Option(
    name: [.customShort("f"), .customLong("connection-file")], help: "Jupyter's connection file.")
  var connectionFile: String

  @Option(help: "Seconds one cell may run.")
  var budget: Double = 600

  func run() throws {
    let info: ConnectionInfo
    do {
      info = try ConnectionInfo.read(connectionFile)
    } catch {
      printError("nbrun kernel: \(error)")
      throw ExitCode(64)
    }
    // Jupyter's server names the notebook in JPY_SESSION_NAME: its figures' links are the
    // handout's (`lecture2_files/fig-1.svg`).
    let environment = ProcessInfo.processInfo.environment
    let sessionName = environment["JPY_SESSION_NAME"].map {
      URL(fileURLWithPath: $0).deletingPathExtension().lastPathComponent
    }
    let folder = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
    let session = KernelSession(
      settings: .init(
        budget: budget, name: sessionName.flatMap { $0.isEmpty ? nil : $0 } ?? "notebook",
        folder: folder))
    let server: KernelServer
    do {
      server = try KernelServer(connection: info, language: NBRunLanguage(session: session))
    } catch {
      printError("nbrun kernel: \(error)")
      throw ExitCode(Verdict.notebookErrors.rawValue)
    }
    // A front end that interrupts by signal (interrupt_mode "signal") reaches the cell too.
    SignalInterrupt.route(to: server)
    server.serve()
  }
}

/// Writes the kernelspec.
struct Install: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "install",
    abstract: "Writes the kernelspec so that Jupyter lists the nbrun kernel.",
    discussion:
      "Without options it goes to the user's Jupyter data folder ($JUPYTER_DATA_DIR, else ~/.local/share/jupyter/kernels/nbrun); --prefix P puts it in P/share/jupyter/kernels/nbrun (a virtual environment's prefix, or /usr/local for every user)."
  )

  @Flag(help: "Install for this user (the default).")
  var user = false

  @Option(help: "Install under PREFIX/share/jupyter/kernels/nbrun.")
  var prefix: String?

  func validate() throws {
    if user, prefix != nil { throw ValidationError("give --user or --prefix, not both") }
  }

  func run() throws {
    // The kernelspec names this program by its real path, however it was started.
    let absolute = runningExecutable.path
    let folder = KernelSpec.folder(
      prefix: prefix, environment: ProcessInfo.processInfo.environment)
    do {
      try KernelSpec.install(executable: absolute, into: folder)
    } catch {
      printError("nbrun kernel install: cannot write \(folder.path): \(error)")
      throw ExitCode(Verdict.notebookErrors.rawValue)
    }
    print("Installed the nbrun kernel in \(folder.path)")
  }
}
