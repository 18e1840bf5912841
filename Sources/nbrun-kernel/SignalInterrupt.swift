import Foundation
import JupyterKernel

/// SIGINT interrupts the running cell instead of ending the kernel.
enum SignalInterrupt {
  nonisolated(unsafe) private static var server: KernelServer?

  static func route(to server: KernelServer) {
    Self.server = server
    signal(SIGINT) { _ in SignalInterrupt.server?.interrupt() }
  }
}
