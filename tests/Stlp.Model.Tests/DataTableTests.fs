/// The one reader of data files: values read once at elaboration, bad cells located.
module Stlp.Model.Tests.DataTableTests

open System.IO
open Xunit
open Stlp.Model

let private withData
    (csv: string)
    (target: string)
    (check: Result<Model, ErrorKind * SourcePos option * string> -> unit)
    =
    let dir = Directory.CreateTempSubdirectory("stlp-data-")

    try
        File.WriteAllText(Path.Combine(dir.FullName, "d.csv"), csv)

        let text =
            $"model m\ndata D = csv \"d.csv\"{target}, present 1, mollify 0.1\ncoord x mass 1 init 0\nloss x^2\n"

        let result =
            try
                Ok(Elaborate.ofText dir.FullName Map.empty text)
            with ModelError(kind, pos, message) ->
                Error(kind, pos, message)

        check result
    finally
        dir.Delete(true)

[<Fact>]
let ``the table is read once, with features as numbers and the target cells as written`` () =
    withData "a, b ,class\n1,2,x\n\n3,4.5,y\n" ", target class onehot" (fun result ->
        match result with
        | Ok model ->
            let d = model.DataSets.Head
            Assert.Equal<string[]>([| "a"; "b" |], d.Table.FeatureNames)
            Assert.Equal<float[]>([| 3.0; 4.5 |], d.Table.Features.[1])
            Assert.Equal<string[]>([| "x"; "y" |], d.Table.Labels)
            Assert.Equal<string list>([ "x"; "y" ], d.Classes)
        | Error(_, _, message) -> failwith message)

[<Theory>]
[<InlineData("a,y\n1,2\nabc,3\n", "d.csv:3: column 1 ('a'): 'abc' is not a number")>]
[<InlineData("a,y\n1,2\n1,2,3\n", "d.csv:3: 3 cells where the header has 2")>]
[<InlineData("a,y\n1,2\nInfinity,2\n", "d.csv:3: column 1 ('a'): 'Infinity' is not a finite number")>]
[<InlineData("a,y\n", "has no rows")>]
let ``a bad data file is a model error at the data statement naming the file, line and column``
    (csv: string, expected: string)
    =
    withData csv "" (fun result ->
        match result with
        | Ok _ -> failwith "expected a model error"
        | Error(kind, pos, message) ->
            Assert.Equal(InvalidModel, kind)
            Assert.Equal(Some { Line = 2; Column = 6 }, pos)
            Assert.Contains("data set 'D'", message)
            Assert.Contains(expected, message))

[<Fact>]
let ``a missing target column is located at the target option`` () =
    withData "a,y\n1,2\n" ", target z" (fun result ->
        match result with
        | Ok _ -> failwith "expected a model error"
        | Error(_, pos, message) ->
            Assert.Contains("no column 'z'", message)
            Assert.Equal(2, pos.Value.Line))
