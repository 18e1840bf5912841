import Notebook
import Runner
import Testing

/// Runs notebook text and returns the result.
func run(_ text: String, options: RunOptions = RunOptions()) -> RunResult {
  let (document, diagnostics) = Document.parse(text, path: "nb.md")
  return Session(document: document, options: options).run(parseDiagnostics: diagnostics)
}

/// The number a reference names, or NaN.
func number(_ result: RunResult, _ reference: String) -> Double {
  result.value(reference)?.number ?? .nan
}

/// The only error of a run, as `line:column: message`.
func onlyError(_ result: RunResult) -> Diagnostic? {
  let errors = result.diagnostics.filter { $0.severity == .error }
  #expect(errors.count == 1, "errors: \(errors.map(\.headline))")
  return errors.first
}

let hanKamber = """
  ```model hk
  inputs: x1 x2 x3
  layer: 2 sigmoid
  layer: 1 sigmoid
  weights: w14=0.2 w15=-0.3 w24=0.4 w25=0.1 w34=-0.5 w35=0.2 w46=-0.3 w56=-0.2
  biases: θ4=-0.4 θ5=0.2 θ6=0.1
  ```

  ```backward hk
  input: 1 0 1
  target: 1
  rate: 0.9
  precision: 3
  ```

  """
