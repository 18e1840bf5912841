import Figures
import NeuralEngine

/// How tables, legends and captions name engine things: as a lecture writes them
/// ("binary cross-entropy", "ReLU", "leaky ReLU (α = 0.01)"), never as the option word a
/// notebook uses to ask for them (`binary_crossentropy`, `leaky_relu`), with numbers
/// through the one formatter.
enum Shown {
  static func activation(_ activation: Activation) -> String {
    switch activation {
    case .identity: "linear"
    case .binaryStep: "step"
    case .sign: "sign"
    case .sigmoid: "sigmoid"
    case .tanh: "tanh"
    case .relu: "ReLU"
    case .leakyReLU(let alpha): "leaky ReLU (α = \(NumberText.plain(alpha)))"
    case .elu(let alpha): "ELU (α = \(NumberText.plain(alpha)))"
    case .selu: "SELU"
    case .softplus: "softplus"
    case .gelu: "GELU"
    case .silu: "SiLU"
    case .gaussian: "Gaussian"
    case .softmax: "softmax"
    }
  }

  static func loss(_ loss: Loss) -> String {
    switch loss {
    case .meanSquaredError: "mean squared error"
    case .halfSumOfSquares: "½ sum of squared errors"
    case .meanAbsoluteError: "mean absolute error"
    case .huber(let delta): "Huber (δ = \(NumberText.plain(delta)))"
    case .binaryCrossEntropy: "binary cross-entropy"
    case .categoricalCrossEntropy: "categorical cross-entropy"
    case .sparseCategoricalCrossEntropy: "sparse categorical cross-entropy"
    case .hinge: "hinge"
    case .meanAbsolutePercentageError: "mean absolute percentage error"
    case .meanSquaredLogarithmicError: "mean squared logarithmic error"
    case .kullbackLeibler: "Kullback–Leibler divergence"
    case .poisson: "Poisson"
    }
  }
}
