import Figures
import NeuralEngine

/// How tables and captions name engine things, with numbers through the one formatter:
/// `leaky_relu(0.01)`, `elu(1)`, `huber(1)`.
enum Shown {
  static func activation(_ activation: Activation) -> String {
    switch activation {
    case .leakyReLU(let alpha): "leaky_relu(\(NumberText.plain(alpha)))"
    case .elu(let alpha): "elu(\(NumberText.plain(alpha)))"
    default: activation.name
    }
  }

  static func loss(_ loss: Loss) -> String {
    if case .huber(let delta) = loss { return "huber(\(NumberText.plain(delta)))" }
    return loss.name
  }
}
