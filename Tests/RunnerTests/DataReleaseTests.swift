import Notebook
import Testing

@testable import Runner

/// A data set no block below names is dropped once its last reader has run (issue 29:
/// lecture 4 held every scaled copy of the digits to its end).
@Suite struct DataReleaseTests {
  let notebook = """
    ```data blobs
    source: blobs
    centers: 3
    samples: 160
    seed: 4
    split: train 0.5 validation 0.25 test 0.25
    ```

    ```model net
    inputs: 2
    layer: 6 tanh
    layer: 3 softmax
    seed: 3
    ```

    ```train net
    data: blobs.train
    validation: blobs.validation
    loss: sparse_categorical_crossentropy
    optimizer: adam
    rate: 0.05
    epochs: 20
    batch: 16
    ```

    ```evaluate net
    data: blobs.test
    as: test
    ```

    ```evaluate net
    data: blob.test
    ```
    """

  /// Which block is each set's last reader: the whole set and an unnamed part go with
  /// their `data` block, each named part with the last block that writes it.
  @Test func eachSetGoesAfterTheLastBlockThatNamesIt() {
    let (document, _) = Document.parse(notebook, path: "nb.md")
    let plans = document.directives.enumerated().map { index, block in
      Plan(block: block, index: index, document: document)
    }
    let schedule = Session(document: document).lastReaders(plans)
    func releasedAfter(_ block: Int) -> [String] {
      schedule[block].filter { $0.owner == "blobs" }.map(\.description).sorted()
    }
    #expect(releasedAfter(0) == ["blobs"])
    #expect(releasedAfter(2) == ["blobs.train", "blobs.validation"])
    #expect(releasedAfter(3) == ["blobs.test"])
    #expect(
      Session.dottedWords(in: ["data: blobs.test.", "x: (net.accuracy)"]) == [
        "data", "blobs.test", "x", "net.accuracy",
      ])
  }

  /// The run reads every part it names, and a mistyped name is still answered with the
  /// set's name after the set was dropped.
  @Test func aDroppedSetIsStillSuggested() {
    let result = run(notebook)
    #expect(number(result, "test.accuracy") > 0.8)
    #expect(number(result, "net.val_loss") < 1)
    let error = onlyError(result)
    #expect(error?.message == "no data set 'blob.test' is defined above")
    #expect(error?.hint?.contains("blobs.test") == true, "\(error?.hint ?? "no hint")")
  }
}
