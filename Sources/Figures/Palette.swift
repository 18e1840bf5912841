/// Okabe & Ito's colour-blind-safe palette, in the order series take it, with a dash
/// pattern per series so lines stay apart in grey print too.
public enum Palette {
  public static let colors = [
    "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000",
  ]
  public static let dashes = ["", "6 3", "2 2", "8 3 2 3", "1 3", "10 4"]

  public static func color(_ index: Int) -> String { colors[index % colors.count] }
  public static func dash(_ index: Int) -> String { dashes[index % dashes.count] }
}
