import NeuralEngine
import Notebook

extension DataDirective {
  /// The data as loaded (inline rows, the CSV file's text, or the generated samples, which
  /// are written out), then the same one-hot encoding, seeded split and scaling.
  func python(_ context: BlockContext) throws -> [String]? {
    guard let name = context.block.name else { return nil }
    let v = PythonText.name(name)
    var lines: [String] = []
    if case .csv(let path) = source, let readFile = context.run.readFile {
      let text = try readFile(path)
      lines += [
        PythonText.comment("\(path), as it was read (\(text.utf8.count) bytes)"),
        "text = \(PythonText.string(text))",
        "rows, columns = csv_table(text, header=\(pythonBool(header ?? Self.looksLikeHeader(text))))",
      ]
      let names = columns.map(PythonText.strings) ?? "columns"
      lines.append(
        "\(v) = table_data(rows, \(names), target=\(target.map(PythonText.string) ?? "None"))")
    } else if let rows {
      lines.append("rows = " + PythonText.array(rows))
      let names = columns ?? (1...max(1, rows.first?.count ?? 1)).map { "x\($0)" }
      lines.append(
        "\(v) = table_data(rows, \(PythonText.strings(names)), target=\(target.map(PythonText.string) ?? "None"))"
      )
    } else {
      let set = try load(context)
      let what = source.map { if case .generated(let g) = $0 { g.rawValue } else { "" } } ?? ""
      lines.append(
        PythonText.comment(
          "the \(what) set as nbrun \(what == "digits" ? "ships it" : "generated it (seed \(context.seed))"): \(set.count) samples"
        ))
      lines.append("X = " + Self.pythonMatrix(set.features))
      lines.append("Y = " + Self.pythonMatrix(set.targets))
      lines.append(
        "\(v) = Data(X, Y, \(PythonText.strings(set.featureNames)), \(PythonText.strings(set.targetNames)), \(set.classNames.map(PythonText.strings) ?? "None"))"
      )
    }
    if onehot { lines.append("\(v) = one_hot(\(v))") }
    if let split {
      lines.append(
        "\(v).parts = split(\(v), validation=\(PythonText.number(split.validation)), test=\(PythonText.number(split.test)), seed=\(context.seed))"
      )
      lines.append("\(v).parts = {part: d for part, d in \(v).parts.items() if len(d) > 0}")
    }
    if let scale {
      let basis = split == nil ? v : "\(v).train"
      lines.append(
        "scale = scaler(\(basis).X, \(PythonText.string(scale.rawValue)))  # fitted on \(basis)")
      lines.append("for d in [\(v)] + list(\(v).parts.values()):")
      lines.append("    d.X = scale(d.X)")
    }
    lines.append("publish_data(\(PythonText.string(name)), \(v), \(v).parts)")
    lines.append(
      "print(f\"{len(\(v))} samples × {\(v).X.shape[1]} features\" + \"\".join(f\", {p} {len(d)}\" for p, d in \(v).parts.items()))"
    )
    if preview > 0, context.showsResults {
      lines.append(
        "show_data(\(v), \(preview), \(context.precision)\(PythonText.caption(context)))")
    }
    return lines
  }

  /// Small whole numbers from 0 to 16 (pixels, labels) one character each; others as an array.
  static func pythonMatrix(_ matrix: Matrix<Double>) -> String {
    let small = matrix.elements.allSatisfy { $0 >= 0 && $0 <= 16 && $0 == $0.rounded() }
    if small, matrix.elements.count > 64 {
      let digits = Array("0123456789abcdefg")
      let text = String(matrix.elements.map { digits[Int($0)] })
      return "pixels(\(PythonText.string(text)), \(matrix.rows), \(matrix.columns))"
    }
    return PythonText.array(matrix)
  }
}

func pythonBool(_ value: Bool) -> String { value ? "True" : "False" }
