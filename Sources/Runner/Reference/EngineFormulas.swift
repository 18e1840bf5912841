import Figures
import NeuralEngine

/// The engine's formulas, as `docs/directives.md` states them after the directives: every
/// optimiser's update rule and constants (Keras's), the schedules, the initialisers, the
/// regularisers and the derivatives at kinks. Defaults are read from the engine's own
/// values, so the page cannot disagree with it.
enum EngineFormulas {
  static var markdown: String {
    let adam = constants(Optimizer.adam())
    let rmsprop = constants(Optimizer.rmsprop())
    let adagrad = constants(Optimizer.adagrad())
    let adadelta = constants(Optimizer.adadelta())
    let norm = BatchNorm<Double>(units: 1)
    return """

      ## The engine's formulas

      ### Optimisers (`train`'s `optimizer:`)

      With gradient $g_t = \\partial L/\\partial\\theta$ at step $t = 1, 2, \\dots$ (one step per
      batch), epoch $e$, and the step's learning rate
      $\\eta_t = \\eta \\cdot s(e) / (1 + d\\,(t - 1))$ — $s$ the schedule, $d$ Keras's `decay:` — the
      updates are Keras's. Each constant is an option of `train`; defaults in brackets.

      | `optimizer:` | update | constants |
      |---|---|---|
      | `sgd` | $\\theta \\leftarrow \\theta - \\eta_t g_t$ | `rate` (\(plain(OptimizerName.sgd.defaultRate))) |
      | `momentum` | $v \\leftarrow \\mu v - \\eta_t g_t$; $\\theta \\leftarrow \\theta + v$ | `momentum` μ (0.9) |
      | `nesterov` | $v \\leftarrow \\mu v - \\eta_t g_t$; $\\theta \\leftarrow \\theta + \\mu v - \\eta_t g_t$ | `momentum` μ (0.9) |
      | `adagrad` | $s \\leftarrow s + g_t^2$ ($s_0 = 0.1$); $\\theta \\leftarrow \\theta - \\eta_t g_t / (\\sqrt{s} + \\varepsilon)$ | `epsilon` (\(adagrad.epsilon)) |
      | `rmsprop` | $s \\leftarrow \\rho s + (1 - \\rho) g_t^2$; $\\theta \\leftarrow \\theta - \\eta_t g_t / (\\sqrt{s} + \\varepsilon)$ | `rho` (\(rmsprop.rho)), `epsilon` (\(rmsprop.epsilon)) |
      | `adam` | $m \\leftarrow \\beta_1 m + (1 - \\beta_1) g_t$; $v \\leftarrow \\beta_2 v + (1 - \\beta_2) g_t^2$; $\\theta \\leftarrow \\theta - \\eta_t \\frac{\\sqrt{1 - \\beta_2^t}}{1 - \\beta_1^t} \\cdot \\frac{m}{\\sqrt{v} + \\varepsilon}$ | `beta1` (\(adam.beta1)), `beta2` (\(adam.beta2)), `epsilon` (\(adam.epsilon)) |
      | `adam` with `amsgrad: true` | as Adam, with $\\hat v \\leftarrow \\max(\\hat v, v)$ in place of $v$ in the step | as Adam |
      | `adadelta` | $s \\leftarrow \\rho s + (1 - \\rho) g_t^2$; $\\Delta = \\frac{\\sqrt{u + \\varepsilon}}{\\sqrt{s + \\varepsilon}} g_t$; $u \\leftarrow \\rho u + (1 - \\rho)\\Delta^2$; $\\theta \\leftarrow \\theta - \\eta_t \\Delta$ | `rho` (\(adadelta.rho)), `epsilon` (\(adadelta.epsilon)) |

      Default rates: \(OptimizerName.defaultRates). Slots start at zero (AdaGrad's at 0.1);
      batch normalisation's γ and β are updated by the same rule as the weights.

      ### Learning-rate schedules (`train`'s `schedule:`)

      The factor $s(e)$ for epoch $e = 1, 2, \\dots$; the learning curve draws $\\eta_t$ of each
      epoch's first step with `plot: lr`, and the table adds an η column when the rate changes.

      | `schedule:` | $s(e)$ |
      |---|---|
      | `constant` | $1$ |
      | `step F every K` | $F^{\\lfloor (e - 1)/K \\rfloor}$ |
      | `exponential F every K` | $F^{(e - 1)/K}$ (`every` defaults to 1) |
      | `cosine T floor A` | $A + (1 - A) \\cdot \\tfrac12 \\bigl(1 + \\cos(\\pi \\min(e - 1, T)/T)\\bigr)$ (`floor` defaults to 0) |

      `decay: d` (Keras's inverse-time decay) divides the rate by $1 + d\\,(t - 1)$ at step $t$.

      ### Initialisers (`model`'s `init:`)

      For a layer of $n_\\text{in}$ inputs and $n_\\text{out}$ units, weights are drawn from the
      notebook's seeded generator; biases start at zero.

      | `init:` | distribution |
      |---|---|
      | `glorot_uniform` (`xavier`) | $U(-r, r)$, $r = \\sqrt{6/(n_\\text{in} + n_\\text{out})}$ |
      | `glorot_normal` | $N(0, \\sigma^2)$, $\\sigma = \\sqrt{2/(n_\\text{in} + n_\\text{out})}$ (untruncated) |
      | `he_uniform` | $U(-r, r)$, $r = \\sqrt{6/n_\\text{in}}$ |
      | `he_normal` | $N(0, \\sigma^2)$, $\\sigma = \\sqrt{2/n_\\text{in}}$ |
      | `lecun_uniform` | $U(-r, r)$, $r = \\sqrt{3/n_\\text{in}}$ |
      | `lecun_normal` | $N(0, \\sigma^2)$, $\\sigma = \\sqrt{1/n_\\text{in}}$ |
      | `uniform A B`, `normal M S`, `constant C`, `zeros`, `ones` | as written |

      ### Regularisation

      - **A layer's penalty** (`layer: … l1=λ₁ l2=λ₂`, Keras's `kernel_regularizer`): the loss
        gains $\\lambda_1 \\sum |w| + \\lambda_2 \\sum w^2$ over the layer's weights (not its biases),
        and each weight's gradient $\\lambda_1 \\operatorname{sign}(w) + 2\\lambda_2 w$, with
        $\\operatorname{sign}(0) = 0$.
      - **`train`'s `l2: α`** (scikit-learn's `alpha`): each batch of $n$ samples adds
        $\\frac{\\alpha}{2n}\\sum \\lVert W \\rVert^2$ over every layer.
      - Both penalties are in the training loss (its table says so under it), never in the
        validation loss, `evaluate`'s loss or a `loss` block's.
      - **Dropout** (`layer: … dropout=p`): while training, each output of the layer is kept
        when the generator's next uniform number is $\\ge p$ and then multiplied by
        $1/(1 - p)$, else set to 0 (inverted dropout, Keras's `Dropout(p)` after the layer).
        Masks are drawn layer by layer, row by row, from the training run's generator, after
        the epoch's shuffle; a hand-worked pass (`forward`/`backward`/`gradcheck` with
        `mode: training`) draws them from the block's seed. Evaluation keeps every unit,
        unscaled. The output layer cannot drop.
      - **Batch normalisation** (`layer: … batchnorm=true`): $\\hat x = (z - \\mu)/\\sqrt{\\sigma^2 + \\varepsilon}$,
        $y = \\gamma \\hat x + \\beta$, $a = \\varphi(y)$, with $\\mu$ and $\\sigma^2$ the batch's mean and
        biased variance while training, and the running statistics
        $\\mu_\\text{run} \\leftarrow m\\,\\mu_\\text{run} + (1 - m)\\mu$, $\\sigma^2_\\text{run} \\leftarrow m\\,\\sigma^2_\\text{run} + (1 - m)\\sigma^2$
        at evaluation ($m$ = `bn_momentum`, \(plain(norm.momentum)); $\\varepsilon$ = `bn_epsilon`,
        \(plain(norm.epsilon)); γ starts at 1, β at 0, the running mean at 0 and variance at 1).
        Backward, with $n$ samples: $\\partial L/\\partial\\gamma = \\sum \\partial L/\\partial y \\cdot \\hat x$,
        $\\partial L/\\partial\\beta = \\sum \\partial L/\\partial y$, and
        $\\partial L/\\partial z = \\frac{\\gamma}{\\sqrt{\\sigma^2 + \\varepsilon}}\\bigl(\\partial L/\\partial y - \\tfrac1n \\sum \\partial L/\\partial y - \\hat x \\cdot \\tfrac1n \\sum \\partial L/\\partial y \\cdot \\hat x\\bigr)$.

      ### Derivatives at kinks

      Backpropagation, `activation` tables and `expr` graphs use one value where a function
      has no derivative: ReLU′(0) = 0, leaky ReLU′(0) = α (0.01 unless `alpha=` says), ELU′(0)
      = α, step′ = sign′ = 0 everywhere, |x|′(0) = 0, and `max`/`min` pass the whole gradient
      to their first argument on a tie.

      ### Gradient checking (`gradcheck`)

      For every weight, bias, γ and β: the numerical derivative
      $(L(\\theta + h) - L(\\theta - h))/2h$ (the model's loss on the block's samples, penalties
      included, the same dropout masks for every evaluation) beside backpropagation's, and the
      relative error $|a - n| / \\max(|a|, |n|, 10^{-8})$ (the floor keeps a zero gradient from
      dividing rounding noise by rounding noise). At most \(Network<Double>.gradientCheckLimit)
      parameters.

      """
  }

  private static func plain(_ value: Double) -> String { NumberText.plain(value) }

  /// An optimizer's constants as text.
  private static func constants(_ optimizer: Optimizer) -> (
    beta1: String, beta2: String, epsilon: String, rho: String
  ) {
    switch optimizer.method {
    case .adam(let b1, let b2, let e): (plain(b1), plain(b2), plain(e), "")
    case .rmsprop(let r, let e), .adadelta(let r, let e): ("", "", plain(e), plain(r))
    case .adagrad(let e): ("", "", plain(e), "")
    case .sgd: ("", "", "", "")
    }
  }
}
