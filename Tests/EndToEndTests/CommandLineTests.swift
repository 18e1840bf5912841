import CommandLineSupport
import Foundation
import MathCheck
import Notebook
import Rendering
import Runner
import Testing

/// The command line's contract: exit codes, and the policies it takes from the library.
@Suite("The command line")
struct CommandLineTests {
  /// The built `nbrun`, beside the test bundle.
  static var executable: URL? {
    let folder = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    for candidate in [folder, folder.deletingLastPathComponent()] {
      let url = candidate.appendingPathComponent("nbrun")
      if FileManager.default.isExecutableFile(atPath: url.path) { return url }
    }
    return nil
  }

  /// Runs nbrun in a fresh folder holding `notebook.md`; returns the exit status.
  static func status(_ notebook: String, _ arguments: [String]) throws -> Int32 {
    let folder = FileManager.default.temporaryDirectory
      .appendingPathComponent("nbrun-cli-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    try Data(notebook.utf8).write(to: folder.appendingPathComponent("notebook.md"))
    return try status(arguments, in: folder)
  }

  /// Runs nbrun in a folder; returns the exit status.
  static func status(_ arguments: [String], in folder: URL) throws -> Int32 {
    let executable = try #require(Self.executable, "swift build builds nbrun beside the tests")
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    process.currentDirectoryURL = folder
    process.standardError = FileHandle.nullDevice
    process.standardOutput = FileHandle.nullDevice
    try process.run()
    process.waitUntilExit()
    return process.terminationStatus
  }

  static let holds = "```expr g\nJ = 2*a\na = 3\n```\n\n```expect\ng.J = 6\n```\n"

  @Test func exitCodesMeanSomething() throws {
    #expect(try Self.status(Self.holds, ["notebook.md", "-o", "out"]) == 0)
    #expect(
      try Self.status(Self.holds, ["--check", "notebook.md", "-o", "out"]) == 1, "no handouts yet")
    let fails = Self.holds.replacing("g.J = 6", with: "g.J = 7")
    #expect(try Self.status(fails, ["notebook.md", "-o", "out"]) == 1)
    let broken = Self.holds.replacing("J = 2*a", with: "J = 2*(a")
    #expect(try Self.status(broken, ["notebook.md", "-o", "out"]) == 2)
    #expect(try Self.status(Self.holds, ["missing.md", "-o", "out"]) == 2)
    #expect(try Self.status(Self.holds, ["notebook.md", "--to", "pdff"]) == 64)
    #expect(try Self.status(Self.holds, ["notebook.md", "--student", "--key"]) == 64)
  }

  @Test(
    "a TeX mistake fails the build and --check, located",
    .enabled(
      if: HandoutFiles.katex() != nil, "KaTeX is not installed (apt-get install libjs-katex)"))
  func aTeXMistakeFailsTheBuild() throws {
    let bad = "Good $\\frac{1}{2}$, bad $\\fracc{1}{2}$.\n"
    #expect(try Self.status(bad, ["notebook.md", "-o", "out"]) == 2)
    #expect(try Self.status(bad, ["--check", "notebook.md", "-o", "out"]) == 2)
    #expect(try Self.status("Good $\\frac{1}{2}$.\n", ["notebook.md", "-o", "out"]) == 0)
  }

  @Test(
    "KaTeX's message is located in the notebook",
    .enabled(
      if: HandoutFiles.katex() != nil, "KaTeX is not installed (apt-get install libjs-katex)"))
  func katexErrorsAreLocated() throws {
    let script = try #require(HandoutFiles.katex()?.script)
    let (document, _) = Document.parse(
      "Fine $x^2$.\n\nSo $a + \\fracc{1}{2}$ here.\n", path: "nb.md")
    let diagnostics = MathDiagnostics.check(document, with: KaTeXChecker(script: script))
    #expect(
      diagnostics.map(\.headline) == [
        "nb.md:3:9: error: KaTeX: Undefined control sequence: \\fracc at position 5"
      ])
  }

  @Test func aSourceIsNeverWrittenAndNoTwoNotebooksShareAFile() throws {
    let folder = FileManager.default.temporaryDirectory
      .appendingPathComponent("nbrun-guard-\(UUID().uuidString)")
    for sub in ["a", "b"] {
      try FileManager.default.createDirectory(
        at: folder.appendingPathComponent(sub), withIntermediateDirectories: true)
      try Data("# \(sub)\n".utf8).write(to: folder.appendingPathComponent("\(sub)/x.md"))
    }
    defer { try? FileManager.default.removeItem(at: folder) }
    func status(_ arguments: [String]) throws -> Int32 { try Self.status(arguments, in: folder) }
    #expect(try status(["a/x.md", "-o", "a"]) == 2, "-o the notebook's own folder")
    #expect(
      try String(contentsOf: folder.appendingPathComponent("a/x.md"), encoding: .utf8) == "# a\n")
    #expect(try status(["a/x.md", "b/x.md", "-o", "out"]) == 2, "two notebooks, one file")
    #expect(
      try String(contentsOf: folder.appendingPathComponent("out/x.md"), encoding: .utf8) == "# a\n")
  }

  @Test func verdictsSeparateErrorsFromFailedExpectations() {
    func verdict(_ text: String) -> Verdict {
      let (document, diagnostics) = Document.parse(text, path: "nb.md")
      return Session(document: document).run(parseDiagnostics: diagnostics).verdict
    }
    #expect(verdict(Self.holds) == .succeeded)
    #expect(verdict(Self.holds.replacing("g.J = 6", with: "g.J = 7")) == .checksFailed)
    #expect(verdict(Self.holds.replacing("a = 3", with: "a = x")) == .notebookErrors)
    #expect(verdict("```model m\ninputs: 2\n```\n") == .notebookErrors)
  }

  @Test func theReviewBuildAndTheReportShowTheChecks() throws {
    let folder = FileManager.default.temporaryDirectory
      .appendingPathComponent("nbrun-cli-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    try Data(Self.holds.utf8).write(to: folder.appendingPathComponent("notebook.md"))
    #expect(try Self.status(["notebook.md", "--review", "--to", "md"], in: folder) == 0)
    #expect(try Self.status(["notebook.md", "--to", "md"], in: folder) == 0)
    let review = try String(
      contentsOf: folder.appendingPathComponent("output/review/notebook.md"), encoding: .utf8)
    let handout = try String(
      contentsOf: folder.appendingPathComponent("output/notebook.md"), encoding: .utf8)
    #expect(review.contains("| g.J = 6 | 6 | ✓ |"))
    #expect(!handout.contains("g.J = 6"))
    #expect(try Self.status(Self.holds, ["notebook.md", "--review", "--key"]) == 64)
    // --report prints each assertion with what was computed.
    let executable = try #require(Self.executable)
    let process = Process()
    process.executableURL = executable
    process.arguments = ["notebook.md", "--report", "-o", "report", "--quiet"]
    process.currentDirectoryURL = folder
    let output = Pipe()
    process.standardOutput = output
    process.standardError = FileHandle.nullDevice
    try process.run()
    let printed = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    #expect(printed.contains("\tg.J = 6\t→ 6\t✓"))
  }

  @Test func katexIsDebiansElseTheInstalledCopy() {
    let folders = HandoutFiles.katexFolders(
      executable: URL(fileURLWithPath: "/home/me/.local/bin/nbrun"))
    #expect(folders == ["/usr/share/javascript/katex", "/home/me/.local/share/nbrun/katex"])
    #expect(HandoutFiles.katex(in: "/nonexistent/katex") == nil)
  }

  @Test func outputFoldersFollowTheBuild() {
    #expect(JobRequest.defaultFolder(build: .handout, variants: false) == "output")
    #expect(JobRequest.defaultFolder(build: .student, variants: false) == "output/student")
    #expect(JobRequest.defaultFolder(build: .key, variants: false) == "output/key")
    #expect(JobRequest.defaultFolder(build: .review, variants: false) == "output/review")
    #expect(JobRequest.defaultFolder(build: .student, variants: true) == "output/variants")
  }

  @Test func rostersAreReadWithTheirMistakesNamed() throws {
    let roster = try Roster(parsing: "id,name\ns1,Ada\ns2,Alan\n", name: "r.csv")
    #expect(roster.students.map(\.id) == ["s1", "s2"])
    #expect(roster.extraHeader == ["name"])
    #expect(roster.carry("student,q\ns1,x\n") == "student,q,name\ns1,x,Ada\n")
    for (text, message) in [
      ("id\n", "the roster r.csv names no students"),
      ("s1\ns1\n", "the roster r.csv names student 's1' twice"),
      ("../x\n", "'../x' in r.csv cannot name a folder: use letters, digits, - and _"),
    ] {
      #expect(throws: Roster.Mistake.self) { try Roster(parsing: text, name: "r.csv") }
      #expect((try? Roster(parsing: text, name: "r.csv")) == nil)
      do {
        _ = try Roster(parsing: text, name: "r.csv")
      } catch {
        #expect("\(error)" == message)
      }
    }
  }

  @Test func aJobDrawsEachStudentsVariant() throws {
    let text = """
      ```model m
      inputs: 1
      layer: 1 identity
      weights: w12=2
      biases: θ2=0
      vary:
        w12 in 1..9 by 1
      ```

      ```forward m
      input: 3
      blank: O2
      ```
      """
    let (document, diagnostics) = Document.parse(text, path: "nb.md")
    let job = NotebookJob(
      document: document, diagnostics: diagnostics, name: "nb",
      request: JobRequest(
        formats: [.md], build: .student,
        roster: try Roster(parsing: "s1\ns2\n", name: "r.csv"), run: RunOptions()),
      math: nil)
    #expect(job.verdict == .succeeded)
    #expect(
      job.files.map(\.path) == [
        "s1/nb.md", "s1/key/nb.md", "s2/nb.md", "s2/key/nb.md", "nb-answers.csv",
      ])
    let answers = try #require(job.files.last?.text)
    #expect(answers.hasPrefix("student,exercise,question,expected,tolerance,kind,points\n"))
    #expect(answers.contains("s1,0,m.O2,") && answers.contains("s2,0,m.O2,"))
  }
}

/// Input that should be refused, and what nbrun writes for it.
@Suite("Hostile input")
struct HostileInputTests {
  @Test func onlyFiniteDecimalNumbersAreNumbers() {
    for text in [
      "nan/1", "inf/1", "1e308/1e-308", "0x10", "1e999", "nan", "-inf", "1/0", "1e", ".",
    ] {
      let result = run(
        "```model m\ninputs: 1\nlayer: 1 identity\nweights: w12=\(text)\nbiases: θ2=0\n```\n")
      #expect(!result.succeeded, "\(text) is not a number")
    }
    for (text, value) in [
      ("0.5", 0.5), ("-3", -3), (".25", 0.25), ("1e-3", 0.001), ("1/4", 0.25), ("−0.3", -0.3),
    ] {
      let result = run(
        "```model m\ninputs: 1\nlayer: 1 identity\nweights: w12=\(text)\nbiases: θ2=0\n```\n")
      #expect(result.value("m.w12")?.number == value, "\(text)")
    }
  }

  @Test func gradingRefusesInfiniteExpectationsAndCountsARowOnce() throws {
    let answers = """
      student,exercise,question,expected,tolerance,kind,points
      s1,1,hk.O6,inf,0.1,absolute,1
      s1,1,hk.O4,0.332,inf,absolute,1
      s1,1,hk.O5,0.525,0.001,absolute,-2
      s1,1,hk.Err6,0.1312,0.0001,absolute,1
      s1,1,hk.Err6,0.1312,0.0001,absolute,1
      """
    let report = try Grading.grade(
      answers: answers, answersName: "a.csv",
      submissions: "student,question,answer\ns1,hk.Err6,0.1312\n", submissionsName: "s.csv")
    #expect(report.problems.filter { $0.hasPrefix("a.csv:") }.count == 4, "\(report.problems)")
    #expect(report.byStudent.first?.possible == 1, "the repeated row counts once")
  }

  @Test func csvCellsASpreadsheetWouldRunAreGuarded() {
    #expect(CSVText.field("=SUM(A1)") == "'=SUM(A1)")
    #expect(CSVText.field("+1") == "'+1" && CSVText.field("@x") == "'@x")
    #expect(CSVText.field("a,b") == "\"a,b\"")
    #expect(CSVText.unguarded("'=SUM(A1)") == "=SUM(A1)")
    #expect(throws: Roster.Mistake.self) { try Roster(parsing: "=cmd\n", name: "r.csv") }
    for id in ["-o", "a\tb", "CON", "nul.txt", "..\\x", ".hidden"] {
      #expect((try? Roster(parsing: id + "\n", name: "r.csv")) == nil, "\(id)")
    }
  }

  @Test func aLongSourceLineIsQuotedAsAWindow() {
    let line =
      String(repeating: "a", count: 50_000) + " {{ nothing.here }} "
      + String(repeating: "b", count: 50_000)
    let result = run(line + "\n")
    let text = result.diagnostics.map(\.description).joined()
    #expect(!result.diagnostics.isEmpty)
    #expect(text.count < 1_000, "\(text.count) characters")
    #expect(text.contains("…aaaa") && text.contains("{{ nothing.here }}"))
  }

  @Test func aModelNameCannotEndTheMarkerComment() {
    let (_, markdown, _, _) = render("```expr a-->b\nJ = 1\n```\n")
    #expect(markdown.contains("<!-- nbrun: expr a- ->b -->"))
  }
}

private func run(_ text: String) -> RunResult {
  let (document, diagnostics) = Document.parse(text, path: "nb.md")
  return Session(document: document).run(parseDiagnostics: diagnostics)
}

private func render(_ text: String) -> (RunResult, String, String, Void) {
  let result = run(text)
  return (
    result, MarkdownHandout(result: result, name: "nb").text,
    HTMLHandout(result: result, name: "nb", math: nil).text, ()
  )
}

@Suite("Files the command line reads")
struct FileTextTests {
  static func folder() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent(
      "nbrun-files-\(UUID().uuidString)")
    try FileManager.default.createDirectory(
      at: url.appendingPathComponent("course/notebooks"), withIntermediateDirectories: true)
    return url
  }

  @Test func failuresAreSentencesNamingThePath() throws {
    let base = try Self.folder()
    defer { try? FileManager.default.removeItem(at: base) }
    try Data([0xFF, 0xFE, 0x41]).write(to: base.appendingPathComponent("utf16.md"))
    // A 65 MB file (sparse: no disk is used) is over the stated ceiling.
    let huge = base.appendingPathComponent("huge.md")
    #expect(FileManager.default.createFile(atPath: huge.path, contents: nil))
    let handle = try FileHandle(forWritingTo: huge)
    try handle.truncate(atOffset: 65 * 1_048_576)
    try handle.close()
    let cases: [(URL, String)] = [
      (
        huge, "cannot read huge.md: it is 65 MB, over nbrun's limit of 64 MB for one file; split it"
      ),
      (base.appendingPathComponent("missing.md"), "cannot read missing.md: there is no such file"),
      (base.appendingPathComponent("course"), "cannot read course: it is a folder, not a file"),
      (
        base.appendingPathComponent("utf16.md"),
        "cannot read utf16.md: it is not UTF-8 text (save it as UTF-8)"
      ),
    ]
    for (url, message) in cases {
      do {
        _ = try FileText.read(url, shownAs: url.lastPathComponent)
        Issue.record("\(url.path) was read")
      } catch {
        #expect("\(error)" == message)
        #expect(!"\(error)".contains("NSCocoaErrorDomain"))
      }
    }
  }

  @Test func aHandoutsFilesChangeTogetherOrNotAtAll() throws {
    let base = try Self.folder()
    defer { try? FileManager.default.removeItem(at: base) }
    try Data("old\n".utf8).write(to: base.appendingPathComponent("nb.md"))
    // `nb_files` is a file, so the figure cannot be written: nothing may change.
    try Data("in the way\n".utf8).write(to: base.appendingPathComponent("nb_files"))
    #expect(throws: (any Error).self) {
      try HandoutFiles.write(
        [("nb.md", "new\n"), ("nb.html", "<p>new</p>\n"), ("nb_files/fig-1.svg", "<svg/>")],
        to: base, figuresFolder: "nb_files")
    }
    #expect(
      try String(contentsOf: base.appendingPathComponent("nb.md"), encoding: .utf8) == "old\n")
    let left = try FileManager.default.contentsOfDirectory(atPath: base.path).sorted()
    #expect(left == ["course", "nb.md", "nb_files"], "no staged or partial files: \(left)")
    try HandoutFiles.write([("nb.md", "new\n")], to: base, figuresFolder: "nb_files")
    #expect(
      try String(contentsOf: base.appendingPathComponent("nb.md"), encoding: .utf8) == "new\n")
  }

  @Test func dataPathsStayInsideTheProject() throws {
    let base = try Self.folder()
    defer { try? FileManager.default.removeItem(at: base) }
    let notebooks = base.appendingPathComponent("course/notebooks")
    try Data("x,y\n1,0\n".utf8).write(to: base.appendingPathComponent("secret.csv"))
    try Data("x,y\n1,0\n".utf8).write(to: notebooks.appendingPathComponent("inside.csv"))
    let root = FileText.projectRoot(of: notebooks)
    #expect(root.path == notebooks.standardizedFileURL.path, "no .git: the notebook's folder")
    #expect(
      (try? FileText.read("inside.csv", nextTo: notebooks, within: root, anywhere: false)) != nil)
    #expect(throws: FileText.Problem.self) {
      try FileText.read("../../secret.csv", nextTo: notebooks, within: root, anywhere: false)
    }
    #expect(
      (try? FileText.read("../../secret.csv", nextTo: notebooks, within: root, anywhere: true))
        != nil)
    try FileManager.default.createDirectory(
      at: base.appendingPathComponent("course/.git"), withIntermediateDirectories: true)
    #expect(
      FileText.projectRoot(of: notebooks).path
        == base.appendingPathComponent("course").standardizedFileURL.path)
  }
}

/// Hostile conditions on disk and from the terminal, through the real `nbrun`: each case
/// asserts the exit status, the message, and that no file changed that should not have.
@Suite("Hostile input on disk")
struct HostileDiskTests {
  /// Runs nbrun in `folder`; returns the status and what it printed on stderr. With
  /// `interrupt`, sends that signal once `after` seconds have passed.
  static func nbrun(
    _ arguments: [String], in folder: URL, interrupt: Int32? = nil, after: Double = 0
  ) throws -> (status: Int32, stderr: String, seconds: Double) {
    let executable = try #require(CommandLineTests.executable, "swift build builds nbrun")
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    process.currentDirectoryURL = folder
    let errors = Pipe()
    process.standardError = errors
    process.standardOutput = FileHandle.nullDevice
    let started = Date()
    try process.run()
    if let interrupt {
      Thread.sleep(forTimeInterval: after)
      kill(process.processIdentifier, interrupt)
    }
    let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    return (process.terminationStatus, text, Date().timeIntervalSince(started))
  }

  static func folder() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent(
      "nbrun-hostile-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
  }

  /// Every file below `folder`, with its contents.
  static func snapshot(_ folder: URL) -> [String: Data] {
    var files: [String: Data] = [:]
    let names = FileManager.default.subpaths(atPath: folder.path) ?? []
    for name in names {
      let url = folder.appendingPathComponent(name)
      var isFolder: ObjCBool = false
      if FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder),
        !isFolder.boolValue
      {
        files[name] = FileManager.default.contents(atPath: url.path) ?? Data()
      }
    }
    return files
  }

  static let figure = """
    ```data d
    source: xor
    ```

    ```model m
    inputs: 2
    layer: 2 tanh
    layer: 1 sigmoid
    seed: 1
    ```

    ```train m
    data: d
    loss: binary_crossentropy
    optimizer: adam
    rate: 0.05
    epochs: 50
    ```
    """

  @Test func aFifoOrADeviceAsDataIsRefusedNotWaitedOn() throws {
    let base = try Self.folder()
    defer { try? FileManager.default.removeItem(at: base) }
    #expect(mkfifo(base.appendingPathComponent("pipe.csv").path, 0o600) == 0)
    try FileManager.default.createSymbolicLink(
      atPath: base.appendingPathComponent("zero.csv").path, withDestinationPath: "/dev/zero")
    for path in ["pipe.csv", "zero.csv"] {
      let notebook = "```data d\nsource: \(path)\n```\n"
      try Data(notebook.utf8).write(to: base.appendingPathComponent("nb.md"))
      let (status, stderr, seconds) = try Self.nbrun(
        ["nb.md", "-o", "out", "--allow-outside-data"], in: base)
      #expect(status == 2, "\(path): \(stderr)")
      #expect(stderr.contains("not a regular file"), "\(path): \(stderr)")
      #expect(seconds < 20, "\(path) was waited on")
      #expect(!stderr.contains("NSCocoaErrorDomain"))
    }
  }

  /// A small tmpfs: mounting needs root (CI runs as root); elsewhere the test says so.
  static func mount(_ folder: URL, size: String) -> Bool {
    guard getuid() == 0 else { return false }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/mount")
    process.arguments = ["-t", "tmpfs", "-o", "size=\(size)", "tmpfs", folder.path]
    process.standardError = FileHandle.nullDevice
    guard (try? process.run()) != nil else { return false }
    process.waitUntilExit()
    return process.terminationStatus == 0
  }

  static func unmount(_ folder: URL) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/umount")
    process.arguments = [folder.path]
    try? process.run()
    process.waitUntilExit()
  }

  static var canMount: Bool {
    guard getuid() == 0, FileManager.default.isExecutableFile(atPath: "/bin/mount") else {
      return false
    }
    let probe = FileManager.default.temporaryDirectory.appendingPathComponent(
      "nbrun-mount-\(UUID().uuidString)")
    try? FileManager.default.createDirectory(at: probe, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: probe) }
    guard mount(probe, size: "16k") else { return false }
    unmount(probe)
    return true
  }

  @Test(
    "a full or read-only output folder is a sentence, and the old handouts stay",
    .enabled(if: canMount, "mounting a small tmpfs needs root (CI runs as root)"))
  func aFullOrReadOnlyFolderLeavesTheOldHandouts() throws {
    let base = try Self.folder()
    defer { try? FileManager.default.removeItem(at: base) }
    try Data(Self.figure.utf8).write(to: base.appendingPathComponent("nb.md"))
    let out = base.appendingPathComponent("out")
    try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
    #expect(Self.mount(out, size: "48k"))
    defer { Self.unmount(out) }
    // Yesterday's handouts, small enough to fit; today's page (KaTeX inlined) does not.
    try Data("old markdown\n".utf8).write(to: out.appendingPathComponent("nb.md"))
    try Data("<p>old page</p>\n".utf8).write(to: out.appendingPathComponent("nb.html"))
    let before = Self.snapshot(out)
    let full = try Self.nbrun(["nb.md", "-o", "out"], in: base)
    #expect(full.status == 2, "\(full.stderr)")
    #expect(
      full.stderr.contains("the disk is full (no space left on the device)"), "\(full.stderr)")
    #expect(!full.stderr.contains("NSCocoaErrorDomain"))
    #expect(Self.snapshot(out) == before, "a full disk changed or left files")
    // Read-only: the same, with its own sentence.
    let remount = Process()
    remount.executableURL = URL(fileURLWithPath: "/bin/mount")
    remount.arguments = ["-o", "remount,ro", out.path]
    try remount.run()
    remount.waitUntilExit()
    let readOnly = try Self.nbrun(["nb.md", "-o", "out", "--to", "md"], in: base)
    #expect(readOnly.status == 2, "\(readOnly.stderr)")
    #expect(
      readOnly.stderr.contains("read-only file system: choose another with -o"),
      "\(readOnly.stderr)")
    #expect(!readOnly.stderr.contains("NSCocoaErrorDomain"))
    #expect(Self.snapshot(out) == before)
  }

  @Test(arguments: [SIGINT, SIGTERM])
  func aSignalMidTrainingLeavesEveryFileAsItWas(_ signal: Int32) throws {
    let base = try Self.folder()
    defer { try? FileManager.default.removeItem(at: base) }
    let long = Self.figure.replacing("epochs: 50", with: "epochs: 1000000")
    try Data(long.utf8).write(to: base.appendingPathComponent("nb.md"))
    let out = base.appendingPathComponent("out")
    try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
    try Data("old markdown\n".utf8).write(to: out.appendingPathComponent("nb.md"))
    let before = Self.snapshot(base)
    let run = try Self.nbrun(["nb.md", "-o", "out"], in: base, interrupt: signal, after: 1.5)
    #expect(run.status != 0, "a signal mid-training ends the run")
    #expect(run.seconds < 10, "it stopped within about a second of the signal")
    // The block cache keeps the blocks that finished (whole entries, never a part of one).
    let after = Self.snapshot(base).filter { !$0.key.hasPrefix(".nbrun-cache/") }
    #expect(after == before, "no file changed and no staged file is left")
    let cached = Self.snapshot(base).filter { $0.key.hasPrefix(".nbrun-cache/") }
    #expect(cached.keys.allSatisfy { !$0.hasSuffix(".tmp") }, "no half-written cache entry")
  }
}

extension HostileDiskTests {
  /// The kept fuzz corpus (seeds, and inputs that once crashed): every input runs through
  /// its target to the end. `scripts/fuzz` runs the same targets under libFuzzer.
  @Test(arguments: ["notebook", "expr", "csv", "grading"])
  func theFuzzCorpusReplaysCleanly(_ target: String) throws {
    let folder = try #require(CommandLineTests.executable).deletingLastPathComponent()
    let replay = folder.appendingPathComponent("nbrun-fuzz")
    try #require(
      FileManager.default.isExecutableFile(atPath: replay.path), "swift build builds nbrun-fuzz")
    let corpus = CourseTests.repository.appendingPathComponent("Tests/Fuzz/corpus/\(target)")
    let inputs = try FileManager.default.contentsOfDirectory(atPath: corpus.path).sorted()
      .map { corpus.appendingPathComponent($0).path }
    #expect(!inputs.isEmpty)
    let process = Process()
    process.executableURL = replay
    process.arguments = [target] + inputs
    process.standardError = FileHandle.nullDevice
    try process.run()
    process.waitUntilExit()
    #expect(process.terminationReason == .exit && process.terminationStatus == 0)
  }
}

extension HostileDiskTests {
  static let sheet = """
    ```model n
    inputs: x
    layer: 1 sigmoid
    weights: w=0.5
    biases: b=0
    vary:
      w in -1..1 by 0.5
    ```

    ```forward n
    input: 1
    blank: O2
    ```
    """

  @Test func aRosterIsWrittenStudentByStudentAndAFailureWritesNothing() throws {
    let base = try Self.folder()
    defer { try? FileManager.default.removeItem(at: base) }
    try Data(Self.sheet.utf8).write(to: base.appendingPathComponent("nb.md"))
    let roster = (1...40).map { "s\($0)" }.joined(separator: "\n") + "\n"
    try Data(roster.utf8).write(to: base.appendingPathComponent("roster.csv"))
    let run = try Self.nbrun(["nb.md", "--variants", "roster.csv", "--to", "md"], in: base)
    #expect(run.status == 0, "\(run.stderr)")
    let files = Self.snapshot(base.appendingPathComponent("output/variants"))
    #expect(files.count == 40 * 2 + 1, "\(files.keys.sorted().prefix(5))")
    #expect(files["s17/nb.md"] != nil && files["s17/key/nb.md"] != nil)
    #expect(
      files["nb-answers.csv"].map { String(decoding: $0, as: UTF8.self) }?.contains("s40,") == true)
    #expect(!files.keys.contains { $0.contains(".nbrun-") }, "no staged file is left")
    // A budget too small for the roster: a sentence, and the earlier files as they were.
    let before = Self.snapshot(base)
    let short = try Self.nbrun(
      ["nb.md", "--variants", "roster.csv", "--to", "md", "--budget", "0.000001"], in: base)
    #expect(short.status == 2)
    #expect(short.stderr.contains("ran out after") && short.stderr.contains("of 40 students"))
    #expect(Self.snapshot(base) == before)
  }
}
