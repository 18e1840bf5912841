import Foundation
import Notebook
import Runner
import Testing

/// `conv`, `pool` and `rnn`: the values they store, against sums written out here, and
/// their mistakes located.
@Suite("Convolution, pooling and recurrent cells worked by hand")
struct WorkedLayerTests {
  static let laplacian = """
    ```conv edge
    image:
      1 2 0 1 0
      0 1 3 1 2
      2 0 1 0 1
      1 1 0 2 0
      0 2 1 1 1
    kernel:
      0 1 0
      1 -4 1
      0 1 0
    bias: 1
    activation: relu
    upstream:
      1 0 -1
      0 2 0
      1 1 1
    ```

    """

  @Test func aConvolutionsCellsGradientsAndInputGradient() throws {
    let result = run(Self.laplacian)
    #expect(result.succeeded, "\(result.diagnostics.map(\.headline))")
    let image: [[Double]] = [
      [1, 2, 0, 1, 0], [0, 1, 3, 1, 2], [2, 0, 1, 0, 1], [1, 1, 0, 2, 0], [0, 2, 1, 1, 1],
    ]
    let kernel: [[Double]] = [[0, 1, 0], [1, -4, 1], [0, 1, 0]]
    let upstream: [[Double]] = [[1, 0, -1], [0, 2, 0], [1, 1, 1]]
    var dz = upstream
    for i in 0..<3 {
      for j in 0..<3 {
        var z = 1.0
        for p in 0..<3 {
          for q in 0..<3 { z += image[i + p][j + q] * kernel[p][q] }
        }
        #expect(number(result, "edge.z\(i + 1)_\(j + 1)") == z)
        #expect(number(result, "edge.a\(i + 1)_\(j + 1)") == max(0, z))
        dz[i][j] = z > 0 ? upstream[i][j] : 0
        #expect(number(result, "edge.dz\(i + 1)_\(j + 1)") == dz[i][j])
      }
    }
    // ∂L/∂k(p, q) = Σ x(i + p, j + q) ∂L/∂z(i, j); ∂L/∂b = Σ ∂L/∂z.
    for p in 0..<3 {
      for q in 0..<3 {
        var total = 0.0
        for i in 0..<3 {
          for j in 0..<3 { total += image[i + p][j + q] * dz[i][j] }
        }
        #expect(number(result, "edge.dk\(p + 1)_\(q + 1)") == total)
      }
    }
    #expect(number(result, "edge.db") == dz.joined().reduce(0, +))
    // ∂L/∂x(y, x) = Σ over windows covering it of ∂L/∂z times the kernel weight there.
    for y in 0..<5 {
      for x in 0..<5 {
        var total = 0.0
        for i in 0..<3 {
          for j in 0..<3 where (0..<3).contains(y - i) && (0..<3).contains(x - j) {
            total += dz[i][j] * kernel[y - i][x - j]
          }
        }
        #expect(number(result, "edge.dx\(y + 1)_\(x + 1)") == total)
      }
    }
    // The table writes each sum out, and the figure frames the first window.
    let tables = result.outcomes[0].items.compactMap { item -> Table? in
      if case .table(let table) = item { return table }
      return nil
    }
    // The first cell's sum: each input under the kernel, then its weight, then b; = z.
    guard case .formula(let parts) = tables[0].rows[0][1] else {
      Issue.record("the first cell is not a formula")
      return
    }
    func numbers(_ part: FormulaPart) -> [Double] {
      switch part {
      case .number(let x, _, _), .factor(let x, _, _): [x]
      case .keyed(_, let inner): numbers(inner)
      case .text: []
      }
    }
    #expect(
      parts.flatMap(numbers) == [1, 0, 2, 1, 0, 0, 0, 1, 1, -4, 3, 1, 2, 0, 0, 1, 1, 0, 1, 2])
    #expect(result.outcomes[0].items.contains { if case .figure = $0 { true } else { false } })
  }

  @Test func strideSamePaddingAndChannels() {
    let result = run(
      """
      ```conv s
      image: 1 2 0 1 0; 0 1 3 1 2; 2 0 1 0 1; 1 1 0 2 0; 0 2 1 1 1
      kernel: 1 0 -1; 1 0 -1; 1 0 -1
      stride: 2
      padding: same
      ```

      ```conv rgb
      image: 1 2; 0 1
      image: 0.5 0; 1 1
      kernel: 1 0; 0 -1
      kernel: 0.5 0.5; -0.5 0.25
      bias: 0.1
      ```

      """)
    #expect(result.succeeded, "\(result.diagnostics.map(\.headline))")
    // ⌈5/2⌉ = 3 outputs per side, one zero of padding on each side.
    #expect(number(result, "s.rows") == 3 && number(result, "s.columns") == 3)
    // The padded image: one zero around it; output (i, j) reads rows 2i…2i+2.
    let image: [[Double]] = [
      [1, 2, 0, 1, 0], [0, 1, 3, 1, 2], [2, 0, 1, 0, 1], [1, 1, 0, 2, 0], [0, 2, 1, 1, 1],
    ]
    func padded(_ y: Int, _ x: Int) -> Double {
      (1...5).contains(y) && (1...5).contains(x) ? image[y - 1][x - 1] : 0
    }
    for i in 0..<3 {
      for j in 0..<3 {
        var z = 0.0
        for p in 0..<3 { z += padded(2 * i + p, 2 * j) - padded(2 * i + p, 2 * j + 2) }
        #expect(number(result, "s.z\(i + 1)_\(j + 1)") == z)
      }
    }
    // Two channels: one sum over both.
    let first: Double = 1 * 1 + 2 * 0 + 0 * 0 + 1 * -1
    let second: Double = 0.5 * 0.5 + 0 * 0.5 + 1 * -0.5 + 1 * 0.25
    let z = first + second + 0.1
    #expect(abs(number(result, "rgb.z1_1") - z) < 1e-15)
  }

  @Test func poolingsValuesAndRoutes() {
    let result = run(
      Self.laplacian + """
        ```pool p
        input: 1 3 2 1; 4 6 5 0; 3 1 1 2; 0 2 4 3
        upstream: 1 2; 3 4
        ```

        ```pool q
        from: edge
        kind: average
        stride: 1
        upstream: 1 1; 1 1
        ```

        """)
    #expect(result.succeeded, "\(result.diagnostics.map(\.headline))")
    #expect(
      [1, 2].flatMap { r in [1, 2].map { number(result, "p.p\(r)_\($0)") } } == [6, 5, 3, 4])
    // Each gradient to its window's largest cell alone.
    #expect(number(result, "p.dx2_2") == 1 && number(result, "p.dx2_3") == 2)
    #expect(number(result, "p.dx3_1") == 3 && number(result, "p.dx4_3") == 4)
    #expect(number(result, "p.dx1_1") == 0)
    // The conv's feature map a = [2 0 3; 6 0 6; 0 6 0], averaged 2×2 with stride 1.
    #expect(number(result, "q.p1_1") == 2 && number(result, "q.p1_2") == 2.25)
    #expect(number(result, "q.dx2_2") == 1 && number(result, "q.dx1_1") == 0.25)
  }

  @Test func anElmanCellAndBackPropagationThroughTime() {
    let result = run(
      """
      ```rnn cell
      inputs: 1; 0.5; -1
      wx: 0.5
      wh: 0.8
      bias: 0.1
      target: 0.5
      ```

      """)
    #expect(result.succeeded, "\(result.diagnostics.map(\.headline))")
    var h = [0.0]
    for x in [1.0, 0.5, -1] { h.append(tanh(x * 0.5 + h[h.count - 1] * 0.8 + 0.1)) }
    for t in 1...3 { #expect(abs(number(result, "cell.h\(t)") - h[t]) < 1e-15) }
    // ∂L/∂h₃ = h₃ − y, then back through tanh′ = 1 − h² and W_h at each step.
    var dh = [0.0, 0, 0, h[3] - 0.5]
    var dz = [0.0, 0, 0, 0]
    for t in stride(from: 3, through: 1, by: -1) {
      dz[t] = dh[t] * (1 - h[t] * h[t])
      if t > 1 { dh[t - 1] = dz[t] * 0.8 }
    }
    for t in 1...3 {
      #expect(abs(number(result, "cell.dh\(t)") - dh[t]) < 1e-15)
      #expect(abs(number(result, "cell.size\(t)") - abs(dh[t])) < 1e-15)
    }
    #expect(abs(number(result, "cell.L") - 0.5 * (h[3] - 0.5) * (h[3] - 0.5)) < 1e-15)
    let dwx = 1 * dz[1] + 0.5 * dz[2] - 1 * dz[3]
    let dwh = h[0] * dz[1] + h[1] * dz[2] + h[2] * dz[3]
    #expect(abs(number(result, "cell.dwx1_1") - dwx) < 1e-15)
    #expect(abs(number(result, "cell.dwh1_1") - dwh) < 1e-15)
    #expect(abs(number(result, "cell.db1") - (dz[1] + dz[2] + dz[3])) < 1e-15)
  }

  @Test(
    "mistakes are located and explained",
    arguments: [
      (
        "```conv c\nimage: 1 2; 3 4\nimage: 1 2; 3 4\nkernel: 1\n```\n",
        "nb.md:4:9: error: 2 image channel(s) need 2 kernel(s), one each; found 1"
      ),
      (
        "```conv c\nimage: 1 2 3; 4 5 6; 7 8 9\nkernel: 1 0; 0 1\nupstream: 1 2 3\n```\n",
        "nb.md:4:11: error: 'upstream' is 1×3 but the feature map is 2×2"
      ),
      (
        "```conv c\nimage: 1 2 3; 4 5\nkernel: 1\n```\n",
        "nb.md:2:8: error: row 2 of 'image' has 2 numbers but row 1 has 3"
      ),
      (
        "```pool p\ninput: 1 2; 3 4\nfrom: c\n```\n",
        "nb.md:3:7: error: a pooling takes 'input' or 'from', not both"
      ),
      (
        "```rnn r\ninputs: 1; 2\nwx: 0.5 0.1\nwh: 0.8\n```\n",
        "nb.md:4:5: error: 'wh' needs 2×2 numbers, a row and a column per unit; it is 1×1"
      ),
      (
        "```conv c\nimage: 1 2; 3 4\nkernel: 1\nstride: 1.5\n```\n",
        "nb.md:4:9: error: 'stride' is one or two whole numbers from 1 to 8"
      ),
    ])
  func located(_ notebook: String, _ headline: String) {
    #expect(onlyError(run(notebook))?.headline == headline)
  }
}
