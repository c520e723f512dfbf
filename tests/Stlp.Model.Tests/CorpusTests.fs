/// Malformed and hostile model sources: each must be refused with a located model error (never
/// an unhandled .NET exception) whose message says what is wrong; and random mutations of the
/// samples never escape the model layer's own errors.
module Stlp.Model.Tests.CorpusTests

open System
open System.IO
open System.Threading.Tasks
open Xunit
open FsCheck
open FsCheck.FSharp
open FsCheck.Xunit
open Stlp.Model

/// (source, line, column, a fragment of the message).
let corpus: (string * int * int * string) list = [
    "coord x\nloss x +", 2, 9, "expected a name, a number, prefix operator or '("
    "coord x\nloss (x", 2, 8, "expected infix operator, ''', '(', ')' or '['"
    "coord x\nloss x)", 2, 7, "expected a statement (model, param, signal, data"
    "coord x\nloss sin(x", 2, 11, "expected infix operator, ''', '(', ')', ',' or '"
    "coord x\nloss x ** * 2", 2, 11, "expected a name, a number, prefix operator or '("
    "coord x\nloss 2x", 2, 7, "expected a statement (model, param, signal, data"
    "coord x mass\nloss x", 2, 1, "expected an expression"
    "coord\nloss 1", 2, 1, "'loss' is a reserved word"
    "coord 1x\nloss 1", 1, 7, "expected a name"
    "param = 3\ncoord x", 1, 7, "expected a name"
    "param a 3\ncoord x", 1, 9, "expected '='"
    "param a = \ncoord x", 2, 1, "expected an expression"
    "signal e = t\ncoord x", 1, 10, "expected '('"
    "signal e(t) t\ncoord x", 1, 13, "expected '='"
    "constraint c x = 1\ncoord x", 1, 14, "expected ':'"
    "coord x\nconstraint c: x\n", 3, 1, "expected infix operator, '(', '=' or '['"
    "coord x\nF x\n", 2, 3, "expected '='"
    "coord x\nloss x\nsimulate t from 0\n", 4, 1, "expected 'to' or infix operator"
    "coord x\nloss x\nsimulate\n", 4, 1, "expected 'atol', 'from', 'method', 'output', 'ou"
    "coord x\nloss x\nsimulate t method euler\n", 3, 19, "unknown method 'euler' (rk4, dopri5, sdirk or rosenbrock)"
    "coord x\nloss x\nsimulate t stabilize magic\n", 3, 22, "unknown stabilization 'magic' (none, penalty C, "
    "coord x\nloss x\nsimulate t stabilize penalty\n", 3, 22, "'stabilize penalty' takes 1 value(s), 0 given"
    "coord x\nloss x\nsimulate t stabilize baumgarte 1\n", 3, 22, "'stabilize baumgarte' takes 2 value(s), 1 given"
    "coord x\nloss x\nsimulate t from 0 to 1 step -1\n", 3, 30, "the step must be positive, got -1.0"
    "coord x\nloss x\nsimulate t from 0 to 1 rtol 0\n", 3, 29, "rtol must be positive, got 0.0"
    "coord x\nloss x\nsimulate t from 0 to 1 atol -1e-3\n", 3, 30, "atol must be positive, got -0.001"
    "coord x\nloss x\nsimulate t from 0 to 1 output every 0\n", 3, 37, "the output interval must be positive, got 0.0"
    "coord x\nloss x\nsimulate t from 1e999 to 2\n", 3, 17, "the number '1e999' is too large for a double"
    "coord x\nloss y\n", 2, 6, "undefined name 'y'"
    "coord x\nloss sin(x, x)\n", 2, 6, "'sin' takes 1 argument(s), but 2 were given"
    "coord x\nloss sin()\n", 2, 6, "'sin' takes 1 argument(s), but 0 were given"
    "coord x\nloss atan2(x)\n", 2, 6, "undefined function 'atan2'"
    "coord x\nloss x(t)\n", 2, 6, "'x' is not a function"
    "coord x\nloss x'\n", 2, 6, "velocity x' is not allowed in this expression: o"
    "coord x\nloss x'''\n", 2, 6, "velocity x''' is not allowed in this expression:"
    "coord x\nF = x'''\n", 2, 5, "'x' has too many primes"
    "param a = 1\ncoord x\nloss a'\n", 3, 6, "'a' is not a coordinate and has no velocity"
    "coord x\ncoord x\n", 2, 7, "'x' is already defined at line 1, column 7"
    "param a = 1\nparam a = 2\ncoord x\n", 2, 7, "'a' is already defined at line 1, column 7"
    "coord t\n", 1, 7, "'t' is time and cannot be redefined"
    "param t = 1\ncoord x\n", 1, 7, "'t' is time and cannot be redefined"
    "signal e(t) = t\nsignal e(t) = 2*t\ncoord x\n", 2, 8, "'e' is already defined at line 1, column 8"
    "coord x\nconstraint c: x = 1\nconstraint c: x = 2\n", 3, 12, "'c' is already defined at line 2, column 12"
    "coord x\nconstraint x: x = 1\n", 2, 12, "'x' is already defined at line 1, column 7"
    "coord x\ndissipation 1\ndissipation 2\n", 3, 13, "the dissipation is given twice"
    "coord x\ndissipation 0\n", 2, 13, "the dissipation varpi must be positive and finit"
    "coord x\ndissipation -2\n", 2, 14, "the dissipation varpi must be positive and finit"
    "param th = 1\ncoord x\ndissipation exp(th*t)*0\n", 3, 13, "the dissipation varpi must be positive and finit"
    "coord x\nconstraint c: x' = 1\n", 2, 15, "velocity x' is not allowed in constraint 'c': on"
    "coord x\nconstraint c: abs(x) = 1\n", 2, 15, "'abs' is not twice continuously differentiable a"
    "coord x\nconstraint c: relu(x) = 1\n", 2, 15, "'relu' is not twice continuously differentiable "
    "coord x\nconstraint c: 1 = 2\n", 2, 12, "constraint 'c' mentions no coordinate: -1 = 0 ca"
    "signal e(t) = t\ncoord x\nconstraint c: e(t) = 1\n", 3, 12, "constraint 'c' mentions no coordinate: e(t) - 1 "
    "signal e(t) = x\ncoord x\n", 1, 15, "signal 'e' may depend only on t and parameters, "
    "signal e(t) = e(t)\ncoord x\n", 1, 8, "signal 'e' is defined in terms of itself: e -> e"
    "signal a(t) = b(t)\nsignal b(t) = a(t)\ncoord x\n", 1, 8, "signal 'a' is defined in terms of itself: a -> b"
    "signal e(t) = t\ncoord x\nloss e(x)\n", 3, 8, "signal 'e' can only be evaluated at t"
    "signal e(t) = t\ncoord x\nloss e\n", 3, 6, "signal 'e' is a function of time: write e(t)"
    "signal e(t) = t\ncoord x\nloss e(t, t)\n", 3, 6, "'e' takes 1 argument(s), but 2 were given"
    "coord x mass 0\n", 1, 7, "the mass of 'x' must be positive, got 0"
    "coord x mass -1\n", 1, 7, "the mass of 'x' must be positive, got -1"
    "coord x mass x\n", 1, 7, "the mass of 'x' must be a constant, not depend o"
    "coord x mass 1e999\n", 1, 14, "the number '1e999' is too large for a double"
    "coord x mass 1/0\n", 1, 16, "division by zero"
    "coord x init 0/0\n", 1, 16, "division by zero"
    "coord x init sqrt(-1)\n", 1, 14, "'sqrt(-1)' is not a finite number: it is undefin"
    "coord x velocity 1e400\n", 1, 18, "the number '1e400' is too large for a double"
    "coord x init 1 guess 2\n", 1, 7, "'x' has both 'init' and 'guess': 'init' fixes th"
    "coord x guess y\ncoord y\n", 1, 7, "the guess of 'x' must be a constant (numbers and"
    "param a = 1e999\ncoord x\n", 1, 11, "the number '1e999' is too large for a double"
    "param a = 10^10^10\ncoord x\n", 1, 11, "'10^10000000000' is not a finite number: it over"
    "param a = 0^-1\ncoord x\n", 1, 11, "'0^(-1)' is not a finite number: it overflows or"
    "param a = sqrt(-1)\ncoord x\n", 1, 11, "'sqrt(-1)' is not a finite number: it is undefin"
    "param a = log(-1)\ncoord x\n", 1, 11, "'log(-1)' is not a finite number: it is undefine"
    "param a = ((2^4096)^4096)^4096\ncoord x\n", 1, 13, "'10443888814131525066917527107166243825799642490"
    "param a = 123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890\ncoord x\n",
    1,
    11,
    "'12345678901234567890123456789012345678901234567"
    "param a = b\nparam b = 1\ncoord x\n", 1, 11, "undefined name 'b'"
    "param a = x\ncoord x\n", 1, 11, "undefined name 'x'"
    "param a = t\ncoord x\n", 1, 11, "expected a constant (numbers and parameters only"
    "input x1\n", 1, 7, "input 'x1' needs its signal: input x1 = e(t)"
    "coord x\nloss w[1e0]\n", 2, 6, "undefined name 'w'"
    "form f(x; w[]) = x - w[1e0]\nnetwork feedforward 1-1 { form f\n inputs t }\n",
    1,
    24,
    "an array index must be i (inside sum) or a whole"
    "form f(x; w[]) = x - w[99999999999]\nnetwork feedforward 1-1 { form f\n inputs t }\n",
    1,
    24,
    "an array index must be i (inside sum) or a whole"
    "form f(x; w[]) = x - w[5]\nnetwork feedforward 1-1 { form f\n inputs t }\n",
    1,
    24,
    "index 5 is outside 'w' (length 1)"
    "form f(x; w[]) = x - w\nnetwork feedforward 1-1 { form f\n inputs t }\n",
    1,
    22,
    "'w' is an array: write w[i] inside sum(...)"
    "form f(x; w[]) = x - sum(w[i], 2)\nnetwork feedforward 1-1 { form f\n inputs t }\n",
    1,
    22,
    "'sum' takes 1 argument(s), but 2 were given"
    "coord x\nloss sum(x)\n", 2, 6, "sum(...) runs over the in-edges and is only allo"
    "form f(x; a[], b[], c[]) = x\n", 1, 6, "form 'f' has 3 array parameters; at most two (in"
    "form f(x; w[]) = x\nform f(x; w[]) = x\n", 2, 6, "form 'f' is already defined"
    "network feedforward 1-1 { form nope\n inputs t }\n", 1, 1, "network 'net': undefined constraint form 'nope'"
    "network feedforward 1-1 { activation nope\n inputs t }\n", 1, 38, "unknown activation 'nope'"
    "network feedforward 1-1 { bogus }\n", 1, 27, "expected a network option (activation, form, dat"
    "network feedforward 2-1 { inputs t }\n", 1, 1, "network 'net': 2 input neurons but 1 input signa"
    "network feedforward { inputs t }\n", 1, 21, "expected a name or integer number (32-bit, signe"
    "network digraph { edges a -> b }\n", 1, 1, "network 'net': vertex 'a' has no in-edges, no drive and is"
    "data d = csv \"missing.csv\"\ncoord x\n", 1, 6, "data set 'd': file not found: ./missing.csv"
    "data d = csv \"x.csv\ncoord x\n", 1, 20, "expected '\"'"
    "coord x\nloss x\nmodel\n", 4, 1, "expected a name"
    "coord x\nloss x # ok\n]\n", 3, 1, "expected a statement (model, param, signal, data"
    "coord x\nloss 1.2.3\n", 2, 9, "expected a statement (model, param, signal, data"
    "coord x\nloss x[\n", 3, 1, "expected an expression"
    "coord x\nloss \"x\"\n", 2, 6, "expected an expression"
    "coord x\nloss x @ 2\n", 2, 8, "expected a statement (model, param, signal, data"
    "coord x\nloss x;\n", 2, 7, "expected a statement (model, param, signal, data"
    "coord x\nloss x^^2\n", 2, 8, "expected a name, a number, prefix operator or '("
    "coord x\nloss mass\n", 2, 6, "expected an expression"
    "coord x\nloss 1e\n", 2, 8, "expected decimal digit"
    "coord x\nloss .5e\n", 2, 6, "expected an expression"
    "coord x\nloss x^1e999\n", 2, 8, "the number '1e999' is too large for a double"
    "coord x\nloss exp(exp(10))\n", 2, 6, "'exp(exp(10))' is not a finite number: it overfl"
    "coord x\nloss 2^(3^(4^5))\n", 2, 9, "'37339184874102004353295975418486658822540977678"
    "coord x\nloss x\nsimulate t plot z\n", 3, 17, "undefined name 'z'"
    "coord x\nloss x × 2\n", 2, 8, "expected a statement (model, param, signal, data"
    "coord x\nloss x\nsimulate t from 0 to 1 outputs\n", 4, 1, "expected a name"
    "network feedforward 1-0-1 { inputs t }\n", 1, 1, "network 'net': every layer needs at least one ne"
    "network feedforward 1-5000-5000-1 { inputs t }\n", 1, 1, "network 'net' is too large (25020001 weights and"
    "network feedforward 1-99999999999-1 { inputs t }\n", 1, 23, "This number is outside the allowable range for s"
    "coord x\nloss 4000sin\n", 2, 10, "expected a statement (model, param, signal, data"
]

let private outcome (source: string) =
    try
        Elaborate.ofText "." Map.empty source |> ignore
        Error "accepted"
    with
    | ModelError(_, Some pos, message) -> Ok(pos, message)
    | ModelError(_, None, message) -> Error $"no place: {message}"
    | e -> Error $"{e.GetType().Name}: {e.Message}"

[<Fact>]
let ``the corpus holds at least 60 hostile sources`` () =
    Assert.True(corpus.Length >= 60, $"{corpus.Length} sources")
    Assert.Equal(corpus.Length, (corpus |> List.map (fun (s, _, _, _) -> s) |> List.distinct).Length)

[<Fact>]
let ``every corpus source is refused with a located model error`` () =
    let failures = [
        for source, line, column, fragment in corpus do
            match outcome source with
            | Ok(pos, message) when pos = { Line = line; Column = column } && message.Contains fragment -> ()
            | Ok(pos, message) ->
                yield $"{source.Replace('\n', '|')}: got {pos}: {message}; expected {line}:{column}: {fragment}"
            | Error what -> yield $"{source.Replace('\n', '|')}: {what}"
    ]

    Assert.True(failures.IsEmpty, String.Join("\n", failures))

// ---- random mutations of the samples ----

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

let private samples =
    Directory.GetFiles(samplesDir, "*.stlp")
    |> Array.sort
    |> Array.map (fun p -> nonNull (Path.GetFileName p), File.ReadAllText p)

/// One edit: delete, duplicate or replace the character at a position.
type Edit =
    | Delete of at: int
    | Duplicate of at: int
    | Replace of at: int * char

let private alphabet = "0123456789+-*/^()[]{},;:=#'.\"\n xyzw_eE"

let private apply (text: string) (edit: Edit) =
    if text.Length = 0 then
        text
    else
        match edit with
        | Delete at -> text.Remove(abs at % text.Length, 1)
        | Duplicate at ->
            let i = abs at % text.Length
            text.Insert(i, string text.[i])
        | Replace(at, c) ->
            let i = abs at % text.Length
            text.Remove(i, 1).Insert(i, string c)

type Mutations =
    static member Edits() =
        let at = Gen.choose (0, Int32.MaxValue)

        Gen.oneof [
            Gen.map Delete at
            Gen.map Duplicate at
            Gen.map2 (fun a c -> Replace(a, c)) at (Gen.elements alphabet)
        ]
        |> Arb.fromGen

/// Elaborates with a time limit; the only exception allowed out is the model layer's own.
let private survives (name: string) (text: string) =
    let task =
        Task.Run(fun () ->
            try
                Elaborate.ofText samplesDir Map.empty text |> ignore
                None
            with
            | ModelError _ -> None
            | e -> Some e)

    if not (task.Wait(TimeSpan.FromSeconds 20.0)) then
        failwith $"elaboration of a mutated {name} did not finish:\n{text}"

    match task.Result with
    | Some e -> failwith $"a mutated {name}: {e.GetType().Name}: {e.Message}\n{text}"
    | None -> true

[<Property(Arbitrary = [| typeof<Mutations> |], MaxTest = 60, Replay = "20261129,1")>]
let ``mutated samples raise nothing but model errors`` (pick: PositiveInt) (edits: Edit list) =
    let name, text = samples.[pick.Get % samples.Length]
    let mutated = edits |> List.truncate 4 |> List.fold apply text
    survives name mutated

[<Fact>]
let ``every sample elaborates unmutated`` () =
    for _, text in samples do
        Elaborate.ofText samplesDir Map.empty text |> ignore
