/// IDX data sets (MNIST, Fashion-MNIST): images and labels read once at elaboration, gzip'd or
/// plain, every defect of a file a located model error naming it; `shuffle off` and `onehot`.
module Stlp.Model.Tests.IdxTests

open System
open System.IO
open System.IO.Compression
open Xunit
open Stlp.Model

let private bigEndian (v: int) = [| byte (v >>> 24); byte (v >>> 16); byte (v >>> 8); byte v |]

let private idx3 (magic: int) (count: int) (rows: int) (columns: int) (pixels: byte[]) =
    Array.concat [ bigEndian magic; bigEndian count; bigEndian rows; bigEndian columns; pixels ]

let private idx1 (magic: int) (count: int) (labels: byte[]) =
    Array.concat [ bigEndian magic; bigEndian count; labels ]

let private gzip (bytes: byte[]) =
    use buffer = new MemoryStream()

    do
        use zip = new GZipStream(buffer, CompressionLevel.Optimal, leaveOpen = true)
        zip.Write(bytes, 0, bytes.Length)

    buffer.ToArray()

/// Three 2x3 images and their labels 7, 0, 3.
let private pixels = [|
    0uy
    1uy
    2uy
    3uy
    4uy
    255uy
    10uy
    20uy
    30uy
    40uy
    50uy
    60uy
    128uy
    0uy
    0uy
    0uy
    0uy
    64uy
|]

let private images = idx3 0x803 3 2 3 pixels
let private labels = idx1 0x801 3 [| 7uy; 0uy; 3uy |]

let private elaborate (dir: string) (source: string) =
    let text =
        $"model m\ndata D = {source}, present 1, mollify 0.1\ncoord x mass 1 init 0\nloss x^2\n"

    try
        Ok(Elaborate.ofText dir Map.empty text)
    with ModelError(kind, pos, message) ->
        Error(kind, pos, message)

/// Writes the files into a fresh folder and elaborates a model with the data statement `source`.
let private withFiles (files: (string * byte[]) list) (source: string) check =
    let dir = Directory.CreateTempSubdirectory("stlp-idx-")

    try
        for name, bytes in files do
            File.WriteAllBytes(Path.Combine(dir.FullName, name), bytes)

        check (elaborate dir.FullName source)
    finally
        dir.Delete(true)

let private samplesDir =
    let rec up (dir: string) =
        let candidate = Path.Combine(dir, "samples")

        if File.Exists(Path.Combine(candidate, "fig3b.stlp")) then
            candidate
        else
            match Path.GetDirectoryName dir with
            | null -> failwith "samples/ not found"
            | parent -> up parent

    up AppContext.BaseDirectory

let private fashion =
    "idx \"data/fashion/t10k-images-idx3-ubyte.gz\" labels \"data/fashion/t10k-labels-idx1-ubyte.gz\""

[<Theory>]
[<InlineData(false, false)>]
[<InlineData(true, true)>]
[<InlineData(true, false)>]
[<InlineData(false, true)>]
let ``a tiny IDX pair, gzip'd or plain, reads back exactly`` (zipImages: bool, zipLabels: bool) =
    let files = [
        "i.idx", (if zipImages then gzip images else images)
        "l.idx", (if zipLabels then gzip labels else labels)
    ]

    withFiles files "idx \"i.idx\" labels \"l.idx\", onehot" (fun result ->
        match result with
        | Ok model ->
            let d = model.DataSets.Head
            Assert.Equal<string[]>([| "p1"; "p2"; "p3"; "p4"; "p5"; "p6" |], d.Table.FeatureNames)
            Assert.Equal(3, d.Table.Features.Length)

            for r in 0..2 do
                Assert.Equal<float[]>(Array.init 6 (fun i -> float pixels.[6 * r + i] / 255.0), d.Table.Features.[r])

            Assert.Equal(1.0, d.Table.Features.[0].[5])
            Assert.Equal<string[]>([| "7"; "0"; "3" |], d.Table.Labels)
            Assert.Equal<string list>([ "0"; "3"; "7" ], d.Classes)
            Assert.True d.OneHot
            Assert.Equal<string list>(d.Classes, d.Targets)
            Assert.True d.Shuffle
        | Error(_, _, message) -> failwith message)

[<Fact>]
let ``without onehot the labels are a numeric target`` () =
    withFiles [ "i.idx", images; "l.idx", labels ] "idx \"i.idx\" labels \"l.idx\"" (fun result ->
        match result with
        | Ok model ->
            let d = model.DataSets.Head
            Assert.False d.OneHot
            Assert.Equal<string list>([ "label" ], d.Targets)
        | Error(_, _, message) -> failwith message)

let private expectError (expected: string list) result =
    match result with
    | Ok _ -> failwith "expected a model error"
    | Error(kind, pos, message: string) ->
        Assert.Equal(InvalidModel, kind)
        Assert.Equal(Some { Line = 2; Column = 6 }, pos)
        Assert.Contains("data set 'D'", message)

        for fragment in expected do
            Assert.Contains(fragment, message)

        Assert.DoesNotContain("   at ", message)

[<Fact>]
let ``the sample Fashion-MNIST test part reads 10,000 images of 784 pixels with their labels`` () =
    match elaborate samplesDir (fashion + ", onehot") with
    | Ok model ->
        let d = model.DataSets.Head
        Assert.Equal(10000, d.Table.Features.Length)
        Assert.Equal(784, d.Table.FeatureNames.Length)
        Assert.True(d.Table.Features |> Array.forall (fun row -> row.Length = 784))
        Assert.Equal(10000, d.Table.Labels.Length)
        // The first test image is an ankle boot, class 9.
        Assert.Equal("9", d.Table.Labels.[0])
        Assert.Equal<string list>([ for k in 0..9 -> string k ], d.Classes)
        Assert.Equal(784, d.Features.Length)
        Assert.Equal(10, d.Targets.Length)

        Assert.True(d.Table.Features |> Array.forall (Array.forall (fun v -> v >= 0.0 && v <= 1.0)))
    | Error(_, _, message) -> failwith message

[<Fact>]
let ``a small network on the sample elaborates with shuffle off`` () =
    let text =
        $"""model fashion_tiny
data fashion = {fashion}, onehot, present 0.5, mollify 0.05, epochs 1, split 0.8, shuffle off, standardize
network feedforward f 784-4-10 {{ activation tanh  data fashion  mass x 0.00001 w 1 }}
dissipation exp(16*t)
simulate from 0 to 1
"""

    let model = ModelFile.FromText(text, samplesDir)
    let d = model.DataSets.Head
    Assert.Equal("fashion", d.Name)
    Assert.False d.Shuffle
    Assert.True d.OneHot
    Assert.True d.Standardize
    Assert.Equal(0.8, d.Split)
    Assert.Equal(1, d.Epochs)
    Assert.Equal(0.5, d.Present)
    Assert.Equal(0.05, d.Mollify)
    Assert.Equal(10, d.Targets.Length)
    // 784*4 + 4*10 weights, fed by the data set's 784 pixel signals.
    let weights =
        model.Coordinates
        |> List.filter (fun c -> c.Kind = Syntax.WeightCoord)
        |> List.length

    Assert.Equal(784 * 4 + 4 * 10, weights)

[<Fact>]
let ``shuffle off and on parse for a csv set too, and shuffling is the default`` () =
    let dir = Directory.CreateTempSubdirectory("stlp-idx-")

    try
        File.WriteAllText(Path.Combine(dir.FullName, "d.csv"), "a,class\n1,x\n2,y\n")

        let shuffle option =
            match elaborate dir.FullName $"csv \"d.csv\", onehot{option}" with
            | Ok model -> model.DataSets.Head.OneHot, model.DataSets.Head.Shuffle
            | Error(_, _, message) -> failwith message

        Assert.Equal((true, true), shuffle "")
        Assert.Equal((true, false), shuffle ", shuffle off")
        Assert.Equal((true, true), shuffle " shuffle on")
    finally
        dir.Delete(true)

[<Fact>]
let ``an idx set takes no target column`` () =
    withFiles [ "i.idx", images; "l.idx", labels ] "idx \"i.idx\" labels \"l.idx\", target label onehot" (fun result ->
        match result with
        | Ok _ -> failwith "expected a model error"
        | Error(_, pos, message) ->
            Assert.Contains("target is its labels file", message)
            Assert.Equal(Some { Line = 2; Column = 45 }, pos))

let private badCases: (string * byte[] * byte[] * string list) list = [
    "bad image magic", idx3 0x804 3 2 3 pixels, labels, [ "i.idx"; "not an IDX3 ubyte image file (magic 0x00000804" ]
    "labels for images", labels, labels, [ "i.idx"; "an IDX1 label file (magic 0x00000801" ]
    "bad label magic", images, idx1 0x803 3 [| 7uy; 0uy; 3uy |], [ "l.idx"; "an IDX3 image file" ]
    "truncated pixels", images.[.. images.Length - 2], labels, [ "i.idx"; "truncated"; "need 18 bytes"; "has 17" ]
    "truncated header", images.[..9], labels, [ "i.idx"; "truncated: 10 bytes, where the IDX header alone has 16" ]
    "empty labels", images, [||], [ "l.idx"; "truncated: 0 bytes, where the IDX header alone has 8" ]
    "truncated labels", images, labels.[.. labels.Length - 2], [ "l.idx"; "truncated"; "3 labels need 3 bytes" ]
    "trailing bytes", Array.append images [| 0uy |], labels, [ "i.idx"; "bytes after the end of 3 images" ]
    "zero dimensions", idx3 0x803 3 0 3 [||], labels, [ "i.idx"; "bad dimensions" ]
    "count mismatch", images, idx1 0x801 2 [| 7uy; 0uy |], [ "i.idx has 3 images but l.idx has 2 labels" ]
    "corrupt gzip", (gzip images).[..20], labels, [ "i.idx" ]
]

[<Fact>]
let ``a bad IDX file is a model error at the data statement naming the file`` () =
    for case, imageBytes, labelBytes, expected in badCases do
        withFiles [ "i.idx", imageBytes; "l.idx", labelBytes ] "idx \"i.idx\" labels \"l.idx\", onehot" (fun result ->
            try
                expectError expected result
            with e ->
                failwith $"{case}: {e.Message}")

[<Fact>]
let ``a missing IDX file is a model error naming it`` () =
    withFiles [ "i.idx", images ] "idx \"i.idx\" labels \"nowhere/l.idx\", onehot" (fun result ->
        expectError [ "cannot read nowhere/l.idx: " ] result)

    let dir = Directory.CreateTempSubdirectory("stlp-idx-")

    try
        elaborate dir.FullName fashion
        |> expectError [
            "cannot read data/fashion/t10k-images-idx3-ubyte.gz: "
            "(Fashion-MNIST: see samples/data/fashion/README.md)"
        ]
    finally
        dir.Delete(true)
