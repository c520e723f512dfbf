namespace Stlp.Model

open System
open System.Globalization
open System.IO

/// A training set as read once, when the model is elaborated: the header, the feature
/// columns as numbers and the target column's cells as written. Read here from CSV and by
/// `IdxReader` from IDX files, the only readers of data files: the runtime takes these arrays
/// and never opens the files again.
type DataTable = {
    /// The full path the table was read from.
    Path: string
    Header: string[]
    /// The index of the target column in the header.
    TargetIndex: int
    /// The header names of the feature columns, in file order.
    FeatureNames: string[]
    /// Features[row][feature], every cell finite.
    Features: float[][]
    /// The target cell of each row, trimmed, as written (a class label or a number).
    Labels: string[]
}

module DataTable =
    /// Reads a comma-separated table with a header line; blank lines are skipped. `fail` raises
    /// the caller's located error; every message names the file, and a cell's line and column.
    let read (path: string) (targetColumn: string option) (fail: string -> exn) : DataTable =
        let lines =
            try
                File.ReadAllLines path
            with e ->
                raise (fail $"cannot read {path}: {e.Message}")

        let rows =
            lines
            |> Array.indexed
            |> Array.filter (fun (_, l) -> l.Trim() <> "")
            |> Array.map (fun (i, l) -> i + 1, l.Split(',') |> Array.map (fun c -> c.Trim()))

        if rows.Length < 2 then
            raise (fail $"{path} has no rows")

        let _, header = rows.[0]

        let target = defaultArg targetColumn header.[header.Length - 1]
        let ti = Array.IndexOf(header, target)

        if ti < 0 then
            raise (fail $"""no column '{target}' in {path} (columns: {String.Join(", ", header)})""")

        let body = rows.[1..]

        for line, cells in body do
            if cells.Length <> header.Length then
                raise (fail $"{path}:{line}: {cells.Length} cells where the header has {header.Length}")

        let featureColumns = [| 0 .. header.Length - 1 |] |> Array.filter (fun c -> c <> ti)

        // A cell is echoed in part: enough to find it, not a whole line of a user's file.
        let shown (cell: string) =
            if cell.Length > 40 then
                cell.Substring(0, 40) + "..."
            else
                cell

        let number (line: int) (column: int) (cell: string) =
            match Double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture) with
            | true, v when Double.IsFinite v -> v
            | true, _ ->
                raise (
                    fail
                        $"{path}:{line}: column {column + 1} ('{shown header.[column]}'): '{shown cell}' is not a finite number"
                )
            | _ ->
                raise (
                    fail
                        $"{path}:{line}: column {column + 1} ('{shown header.[column]}'): '{shown cell}' is not a number"
                )

        {
            Path = path
            Header = header
            TargetIndex = ti
            FeatureNames = featureColumns |> Array.map (fun c -> header.[c])
            Features =
                body
                |> Array.map (fun (line, cells) -> featureColumns |> Array.map (fun c -> number line c cells.[c]))
            Labels = body |> Array.map (fun (_, cells) -> cells.[ti])
        }

    /// The distinct labels in ordinal order: the classes of a one-hot target.
    let classes (table: DataTable) =
        table.Labels
        |> Array.distinct
        |> Array.sortWith (fun a b -> String.CompareOrdinal(a, b))
