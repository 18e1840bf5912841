import NeuralEngine
import Notebook

extension ConvolutionDirective {
  func python(_ context: BlockContext) throws -> [String]? {
    let window = try window()
    let (activation, alpha) =
      self.activation.map { PythonText.activationParts($0) } ?? ("None", "None")
    let grids = { (grids: [[[Double]]]) in
      "[" + grids.map { PythonText.array($0) }.joined(separator: ", ") + "]"
    }
    return [
      "conv_worked(\(PythonText.string(context.resultName)),",
      "    images=\(grids(images)),",
      "    kernels=\(grids(kernels)),",
      "    bias=\(bias.map(PythonText.number) ?? "None"), stride=(\(window.strideHeight), \(window.strideWidth)), padding=\(PythonText.string(padding.rawValue)),",
      "    activation=\(activation), alpha=\(alpha), upstream=\(upstream.map { PythonText.array($0) } ?? "None"),",
      "    decimals=\(context.precision)\(PythonText.caption(context))\(context.showsResults ? "" : ", shown=False")\(formulas ? "" : ", formulas=False"))",
    ]
  }
}

extension PoolingDirective {
  func python(_ context: BlockContext) throws -> [String]? {
    let window = try layer().window
    let grid =
      input.map { PythonText.array($0) } ?? from.map { "conv_map(\(PythonText.string($0)))" }
      ?? "[]"
    return [
      "pool_worked(\(PythonText.string(context.resultName)), \(grid),",
      "    kind=\(PythonText.string(kind.rawValue)), size=(\(window.height), \(window.width)), stride=(\(window.strideHeight), \(window.strideWidth)), padding=\(PythonText.string(padding.rawValue)),",
      "    upstream=\(upstream.map { PythonText.array($0) } ?? "None"), decimals=\(context.precision)\(PythonText.caption(context))\(context.showsResults ? "" : ", shown=False"))",
    ]
  }
}

extension RecurrentDirective {
  func python(_ context: BlockContext) throws -> [String]? {
    let (name, alpha) = PythonText.activationParts(activation)
    let optional = { (values: [Double]?) in values.map { PythonText.numbers($0) } ?? "None" }
    return [
      "rnn_worked(\(PythonText.string(context.resultName)), \(PythonText.array(inputs)),",
      "    wx=\(PythonText.array(inputWeights)), wh=\(PythonText.array(recurrentWeights)),",
      "    bias=\(optional(bias)), h0=\(optional(initial)), activation=\(name), alpha=\(alpha), target=\(optional(target)),",
      "    decimals=\(context.precision)\(PythonText.caption(context))\(context.showsResults ? "" : ", shown=False"))",
    ]
  }
}
