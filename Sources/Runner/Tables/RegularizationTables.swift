import Figures
import NeuralEngine
import Notebook

/// `mode: training` (dropout masks drawn, batch statistics) or `mode: inference`.
enum PassModeChoice: String, OptionChoice {
  case training, inference

  /// The engine's mode; a training pass draws its masks from the block's seed.
  func mode(_ context: BlockContext) -> PassMode {
    self == .training ? .training(seed: context.seed) : .inference
  }

  /// Training when the network has anything that trains differently, else inference.
  static func usual(for network: Network<Double>) -> PassModeChoice {
    network.layers.contains { $0.dropout > 0 || $0.batchNorm != nil } ? .training : .inference
  }
}

/// The tables of a hand-worked pass through dropout and batch normalisation.
struct RegularizationTables {
  var trace: ForwardTrace<Double>
  var network: Network<Double>
  var owner: String
  var context: BlockContext

  private var labels: [[String]] { network.unitLabels.layers }
  private var samples: Int { trace.input.rows }
  private func tag(_ s: Int) -> String { samples > 1 ? " (\(s + 1))" : "" }

  /// Every table the trace calls for: a dropout table per layer with a mask, a batch
  /// normalisation table per normalised layer.
  func tables() -> [Table] {
    trace.layers.indices.compactMap { dropout($0) } + trace.layers.indices.compactMap { norm($0) }
  }

  /// `mask4`, `xhat4`, `y4` per sample; `mu4`, `var4`, `gamma4`, `beta4` per unit.
  func store() {
    for (l, layer) in trace.layers.enumerated() {
      for j in labels[l].indices {
        let unit = labels[l][j]
        if let mask = layer.mask {
          for s in 0..<samples { context.store(key("mask" + unit, s), mask[s, j]) }
        }
        if let norm = layer.normalization {
          context.store(.named(owner, "mu" + unit), norm.mean[j])
          context.store(.named(owner, "var" + unit), norm.variance[j])
          context.store(.named(owner, "gamma" + unit), norm.gamma[j])
          context.store(.named(owner, "beta" + unit), norm.beta[j])
          for s in 0..<samples {
            context.store(key("xhat" + unit, s), norm.normalized[s, j])
            context.store(key("y" + unit, s), norm.output[s, j])
          }
        }
      }
    }
  }

  private func key(_ quantity: String, _ sample: Int) -> ValueKey {
    ValueKey(owner: owner, quantity: quantity, sample: sample + 1)
  }

  /// φ(Iⱼ), the mask mⱼ (0, or 1/(1 − rate) for a kept unit) and Oⱼ = φ(Iⱼ)·mⱼ.
  private func dropout(_ l: Int) -> Table? {
    let layer = trace.layers[l]
    guard let mask = layer.mask, let before = layer.beforeDropout else { return nil }
    var header = ["Unit, j"]
    for s in 0..<samples {
      header += ["φ(Iⱼ)" + tag(s), "Mask mⱼ" + tag(s), "Oⱼ = φ(Iⱼ)·mⱼ" + tag(s)]
    }
    let rows: [[Cell]] = labels[l].indices.map { j in
      var cells: [Cell] = [.text(labels[l][j])]
      for s in 0..<samples {
        cells += [
          .number(before[s, j]),
          .keyed(key("mask" + labels[l][j], s), .number(mask[s, j])),
          .keyed(.output(owner, unit: labels[l][j], sample: s), .number(layer.output[s, j])),
        ]
      }
      return cells
    }
    let rate = NumberText.plain(network.layers[l].dropout)
    return Table(
      caption:
        "Dropout on layer \(l + 1) (rate \(rate)): each unit kept with probability 1 − \(rate) and scaled by 1/(1 − \(rate)), the masks drawn from the block's seed.",
      header: header, rows: rows, precision: context.precision)
  }

  /// μⱼ, σ²ⱼ, γⱼ, βⱼ, then x̂ⱼ = (Iⱼ − μⱼ)/√(σ²ⱼ + ε) and yⱼ = γⱼx̂ⱼ + βⱼ per sample.
  private func norm(_ l: Int) -> Table? {
    guard let norm = trace.layers[l].normalization else { return nil }
    var header = ["Unit, j", "Mean μⱼ", "Variance σ²ⱼ", "γⱼ", "βⱼ"]
    for s in 0..<samples { header += ["x̂ⱼ" + tag(s), "yⱼ" + tag(s)] }
    let rows: [[Cell]] = labels[l].indices.map { j in
      let unit = labels[l][j]
      var cells: [Cell] = [
        .text(unit), .keyed(.named(owner, "mu" + unit), .number(norm.mean[j])),
        .keyed(.named(owner, "var" + unit), .number(norm.variance[j])),
        .keyed(.named(owner, "gamma" + unit), .number(norm.gamma[j])),
        .keyed(.named(owner, "beta" + unit), .number(norm.beta[j])),
      ]
      for s in 0..<samples {
        cells += [
          .keyed(key("xhat" + unit, s), .number(norm.normalized[s, j])),
          .keyed(key("y" + unit, s), .number(norm.output[s, j])),
        ]
      }
      return cells
    }
    let statistics =
      norm.batchStatistics
      ? "μ and σ² are the batch's (biased) mean and variance"
      : "μ and σ² are the running statistics, as at evaluation"
    return Table(
      caption:
        "Batch normalisation of layer \(l + 1): x̂ = (I − μ)/√(σ² + ε), y = γx̂ + β with ε = \(NumberText.plain(norm.epsilon)); \(statistics).",
      header: header, rows: rows, precision: context.precision)
  }

  /// ∂L/∂γⱼ = Σ ∂L/∂yⱼ·x̂ⱼ and ∂L/∂βⱼ = Σ ∂L/∂yⱼ over the batch.
  static func normGradients(
    _ backward: BackwardTrace<Double>, network: Network<Double>, owner: String,
    _ context: BlockContext
  ) -> [Table] {
    let labels = network.unitLabels.layers
    return network.layers.indices.compactMap { l -> Table? in
      guard backward.gammaGradients.indices.contains(l), let gamma = backward.gammaGradients[l],
        let beta = backward.betaGradients[l]
      else { return nil }
      let rows: [[Cell]] = labels[l].indices.map { j in
        let unit = labels[l][j]
        context.store(.named(owner, "grad_gamma" + unit), gamma[j])
        context.store(.named(owner, "grad_beta" + unit), beta[j])
        return [
          .text(unit), .keyed(.named(owner, "grad_gamma" + unit), .number(gamma[j])),
          .keyed(.named(owner, "grad_beta" + unit), .number(beta[j])),
        ]
      }
      return Table(
        caption:
          "Gradients of layer \(l + 1)'s batch normalisation: ∂L/∂γⱼ = Σ ∂L/∂yⱼ·x̂ⱼ and ∂L/∂βⱼ = Σ ∂L/∂yⱼ over the batch.",
        header: ["Unit, j", "∂L/∂γⱼ", "∂L/∂βⱼ"], rows: rows, precision: context.precision + 1)
    }
  }
}
