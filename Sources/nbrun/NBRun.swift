import ArgumentParser
import CommandLineSupport
import Figures
import Foundation
import MathCheck
import Notebook
import Rendering
import Runner

/// `nbrun notebooks/lecture2.md` runs a lecture notebook and writes its handouts;
/// `nbrun grade` grades students' answers.
@main
struct NBRun: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "nbrun",
    abstract: "Runs Markdown lecture notebooks and writes their handouts; grades exercises.",
    version: BuildIdentity.version,
    subcommands: [Render.self, Preview.self, Kernel.self, Grade.self],
    defaultSubcommand: Render.self)

  /// Chooses OpenBLAS's kernel and stops its idle workers before anything else (they spin
  /// from the moment the library loads), then parses the command line.
  static func main() {
    CodePages.releasing = true
    OpenBLASKernel.ensure(.portable)
    main(nil)
  }
}

/// Renders notebooks: handouts, student and key builds, per-student variants.
struct Render: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "render",
    abstract: "Runs Markdown lecture notebooks and writes their handouts (Markdown, HTML, ipynb).",
    discussion: """
      Each notebook NAME.md gives OUTPUT/NAME.md, OUTPUT/NAME.html and OUTPUT/NAME_files/
      (and OUTPUT/NAME.ipynb with --to ipynb). With --check nothing is written: nbrun
      verifies every expectation and that the handouts in OUTPUT are exactly what the
      notebooks give now, and names what changed. Exit status: 0 when everything ran and
      held; 1 when the notebooks ran but an expectation or a --check comparison failed; 2
      when a notebook has errors (or cannot be read or written); 64 for a usage mistake.
      """)

  @Argument(help: "The notebooks to run.")
  var notebooks: [String] = []

  @Flag(help: "Verify expectations and committed handouts; write nothing.")
  var check = false

  @Option(
    name: [.short, .customLong("output")],
    help:
      "The folder handouts go to (default output/, output/student/, output/key/, output/variants/ in the course's root: the nearest folder above the notebook holding _nbrun.yml, else the repository's root, else the current folder)."
  )
  var outputOption: String?

  @Option(
    name: .customLong("to"),
    help: "Formats to write: md, html, ipynb, slides, pdf (comma-separated).")
  var formats = "md,html"

  @Flag(help: "The student build: no solutions, no expectations, blanks left empty.")
  var student = false

  @Flag(
    help:
      "The review build: the handout with every expectation table (default folder output/review/)."
  )
  var review = false

  @Flag(help: "The answer key: blanks filled in, solutions kept, a summary of the questions.")
  var key = false

  @Option(
    help: "A roster CSV (a student id first on each line): a student build and a key per student.")
  var variants: String?

  @Flag(help: "After a failed block, run the blocks that do not depend on it.")
  var keepGoing = false

  @Flag(help: "Print one line per block: location, directive, time taken.")
  var report = false

  @Option(
    help:
      "Seconds the whole run of a notebook (with --variants, of the whole roster) may take; nothing runs unbounded by accident."
  )
  var budget: Double = 900

  @Option(
    help:
      "The folder KaTeX is read from (default: Debian's libjs-katex, else the copy scripts/install puts in PREFIX/share/nbrun/katex)."
  )
  var katex: String?

  @Flag(help: "Print the directive reference (docs/directives.md) and exit.")
  var reference = false

  @Option(
    name: [.customShort("j"), .customLong("jobs")],
    help:
      "How many notebooks, and independent blocks of one notebook, run at once (default: the number of cores). Output is the same for every value."
  )
  var jobs: Int?

  @Option(
    name: .customLong("cache"),
    help:
      "The folder blocks' results and checked formulas are kept in between runs (default .nbrun-cache in the course's root, beside output/)."
  )
  var cacheFolder: String?

  @Flag(help: "Run every block; neither read nor write the block cache.")
  var noCache = false

  @Flag(help: "Print nothing but errors.")
  var quiet = false

  @Flag(help: "Let data paths point outside the notebook's project (its git repository or folder).")
  var allowOutsideData = false

  @Option(
    help:
      "The kernel --to ipynb writes for: python3 (NumPy cells that recompute the results) or nbrun (the blocks as cells of nbrun's own kernel; read back byte for byte)."
  )
  var kernel = "python3"

  func validate() throws {
    for format in formatWords where JobRequest.Format(rawValue: format) == nil {
      throw ValidationError(
        "unknown format '\(format)' in --to: use md, html, ipynb, slides, pdf")
    }
    if IPYNBKernel(rawValue: kernel) == nil {
      throw ValidationError("unknown kernel '\(kernel)' in --kernel: use python3 or nbrun")
    }
    if kernel == "nbrun", student || key || variants != nil {
      throw ValidationError(
        "--kernel nbrun writes the notebook as it stands; student and key builds are written for python3"
      )
    }
    if [student, key, review, variants != nil].filter({ $0 }).count > 1 {
      throw ValidationError("choose one of --student, --key, --review and --variants")
    }
    if !reference, let mistake = settings.usageMistake { throw ValidationError(mistake) }
  }

  var formatWords: [String] {
    formats.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }
  }

  /// The command line as a value for ``CourseRender``.
  var settings: RenderSettings {
    var settings = RenderSettings(notebooks: notebooks, cacheFolder: cacheFolder)
    settings.check = check
    settings.formats = formatWords.compactMap(JobRequest.Format.init)
    settings.build = student ? .student : key ? .key : review ? .review : .handout
    settings.variants = variants
    settings.outputOption = outputOption
    settings.keepGoing = keepGoing
    settings.report = report
    settings.quiet = quiet
    settings.budget = budget
    settings.katex = katex
    settings.jobs = jobs
    settings.noCache = noCache
    settings.allowOutsideData = allowOutsideData
    settings.ipynbKernel = IPYNBKernel(rawValue: kernel) ?? .python3
    return settings
  }

  func run() throws {
    SignalHold.answerInterrupts()
    if reference {
      print(DirectiveReference.markdown, terminator: "")
      return
    }
    let verdict: Verdict
    do {
      verdict = try CourseRender(settings).run()
    } catch {
      throw ValidationError(error.description)
    }
    if verdict != .succeeded { throw ExitCode(verdict.rawValue) }
  }
}
