namespace Stlp.Model

open System

/// What went wrong in a model, for tests and for the CLI's exit codes.
type ErrorKind =
    | ParseError
    | UndefinedName
    | DuplicateName
    | WrongArity
    | NotSmooth
    | NoCoordinate
    | InvalidModel

/// An error in a model, with its place in the source when there is one.
exception ModelError of kind: ErrorKind * pos: SourcePos option * message: string

module Errors =
    let fail kind (pos: SourcePos) message =
        raise (ModelError(kind, Some pos, message))

    let failAnywhere kind message = raise (ModelError(kind, None, message))

    /// `file:line:col: error: message`, then the offending line and a caret under the column.
    let format (file: string) (source: string) (kind: ErrorKind) (pos: SourcePos option) (message: string) =
        let lines = source.Replace("\r\n", "\n").Split('\n')

        match pos with
        | Some p when p.Line >= 1 && p.Line <= lines.Length ->
            let line = lines.[p.Line - 1].Replace('\t', ' ')
            let gutter = string p.Line
            let caret = String(' ', max 0 (p.Column - 1)) + "^"

            String.Join(
                "\n",
                [
                    $"{file}:{p.Line}:{p.Column}: error: {message}"
                    $" {gutter} | {line}"
                    $" {String(' ', gutter.Length)} | {caret}"
                ]
            )
        | Some p -> $"{file}:{p.Line}:{p.Column}: error: {message}"
        | None -> $"{file}: error: {message}"
