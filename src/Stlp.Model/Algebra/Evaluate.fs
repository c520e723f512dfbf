namespace Stlp.Model

open System.Collections.Generic

exception EvaluationError of string

/// Values for the leaves of an expression.
type IValues =
    abstract Symbol: Symbol -> float
    /// The `order`-th time derivative of a signal at the current time.
    abstract Signal: name: string * order: int -> float

/// Evaluation to double, memoized by node (linear in the DAG's size).
module Evaluate =
    let private pow (b: float) (p: float) =
        if p = 2.0 then b * b
        elif p = 1.0 then b
        else System.Math.Pow(b, p)

    let many (values: IValues) (roots: Expr list) : float list =
        let memo = Dictionary<int, float>()

        for n in Calculus.topological roots do
            let v (c: Expr) = memo.[c.Id]

            memo.[n.Id] <-
                match n.Node with
                | Num r -> r.ToDouble()
                | Real x -> x
                | Sym s -> values.Symbol s
                | Sig(name, k) -> values.Signal(name, k)
                | Sum ts -> ts |> Array.sumBy v
                | Prod fs -> fs |> Array.fold (fun acc f -> acc * v f) 1.0
                | Pow(b, p) -> pow (v b) (v p)
                | Fn(f, args) -> (Functions.find f).Eval(args |> Array.map v)

        roots |> List.map (fun r -> memo.[r.Id])

    let eval (values: IValues) (e: Expr) = List.head (many values [ e ])

    /// Values from a symbol map and a signal map; a missing leaf is an error naming it.
    let ofMaps (symbols: Map<Symbol, float>) (signals: Map<string * int, float>) =
        { new IValues with
            member _.Symbol s =
                match symbols.TryFind s with
                | Some v -> v
                | None -> raise (EvaluationError $"no value for symbol '{s}'")

            member _.Signal(name, k) =
                match signals.TryFind(name, k) with
                | Some v -> v
                | None -> raise (EvaluationError $"no value for signal '{name}' (derivative order {k})")
        }

    /// Values by name alone (kinds ignored for coordinates; velocities are looked up as name').
    let ofNames (values: Map<string, float>) =
        { new IValues with
            member _.Symbol s =
                match values.TryFind(string s) with
                | Some v -> v
                | None -> raise (EvaluationError $"no value for symbol '{s}'")

            member _.Signal(name, k) =
                let key = name + String.replicate k "'"

                match values.TryFind key with
                | Some v -> v
                | None -> raise (EvaluationError $"no value for signal '{key}'")
        }
