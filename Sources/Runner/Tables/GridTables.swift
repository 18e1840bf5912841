import Notebook

extension Table {
  /// A map of values as a grid (a feature map, a gradient over an image): a row per map
  /// row, numbered from 1, a column per map column; each value stored under `key(r, c)`
  /// and shown as an author would write it.
  static func grid(
    _ context: BlockContext, caption: String, rows: Int, columns: Int,
    key: (Int, Int) -> ValueKey, value: (Int, Int) -> Double
  ) -> Table {
    var cells: [[Cell]] = []
    for r in 0..<rows {
      var row: [Cell] = [.text("\(r + 1)")]
      for c in 0..<columns {
        let name = key(r, c)
        let number = value(r, c)
        context.store(name, number)
        row.append(.keyed(name, .plain(number)))
      }
      cells.append(row)
    }
    return Table(
      caption: caption, header: ["Row"] + (0..<columns).map { "\($0 + 1)" }, rows: cells,
      precision: context.precision)
  }
}
