namespace Stlp.Model

open System.Collections.Generic
open System.IO

/// Loading model files, for callers in any .NET language (the CLI is C#).
[<AbstractClass; Sealed>]
type ModelFile =
    /// Reads, parses and elaborates a model file; `overrides` replace parameter values.
    static member Load(path: string, overrides: IReadOnlyDictionary<string, float>) : Model =
        let map = overrides |> Seq.map (fun kv -> kv.Key, kv.Value) |> Map.ofSeq
        Elaborate.ofFile map path

    /// The error kind and a formatted message (with line, column and caret) for a model error.
    static member Describe(path: string, error: exn) : (ErrorKind * string) option =
        match error with
        | ModelError(kind, pos, message) ->
            let source = if File.Exists path then File.ReadAllText path else ""
            Some(kind, Errors.format path source kind pos message)
        | _ -> None
