namespace Stlp.Model

open System

/// One primitive function. The differentiator, the evaluator, the printers and the C# emitter all
/// read this table, so they cannot disagree about a function.
type Primitive = {
    Name: string
    Arity: int
    /// Numerical value.
    Eval: float[] -> float
    /// Partial derivatives with respect to each argument, as expressions of the arguments.
    Partials: Expr[] -> Expr[]
    /// Twice continuously differentiable everywhere (required inside constraints).
    IsC2: bool
    /// C# expression template; {0}, {1} are the arguments.
    CSharp: string
    /// LaTeX operator name.
    Latex: string
    /// Exact simplifications at special arguments (exp(0) = 1, log(exp x) = x, ...).
    Fold: Expr[] -> Expr option
}

module Functions =
    let private sigmoidF x =
        if x >= 0.0 then
            1.0 / (1.0 + Math.Exp(-x))
        else
            let e = Math.Exp x in e / (1.0 + e)

    // log(1 + e^x) without overflow for large x or loss of accuracy for very negative x.
    let private softplusF x =
        Math.Max(x, 0.0) + Math.Log(1.0 + Math.Exp(-Math.Abs x))

    let private atZero (value: Expr) (args: Expr[]) =
        if Expr.isZero args.[0] && args.[0].Node.IsNum then
            Some value
        else
            None

    // Filled on first use; building twice (a race) is harmless because the table is pure.
    let mutable private built: Map<string, Primitive> option = None

    let rec private table () : Map<string, Primitive> =
        match built with
        | Some t -> t
        | None ->
            let t = build ()
            built <- Some t
            t

    and private build () =
        (let app name (args: Expr[]) = apply name args
         let a1 f = fun (args: Expr[]) -> [| f args.[0] |]

         let prim name eval partial c2 cs latex fold = {
             Name = name
             Arity = 1
             Eval = (fun (xs: float[]) -> eval xs.[0])
             Partials = a1 partial
             IsC2 = c2
             CSharp = cs
             Latex = latex
             Fold = fold
         }

         [
             prim "exp" Math.Exp (fun x -> app "exp" [| x |]) true "Math.Exp({0})" "\\exp" (fun a ->
                 match a.[0].Node with
                 | Fn("log", [| y |]) -> Some y
                 | _ -> None)
             prim "log" Math.Log (fun x -> Expr.pow x Expr.minusOne) true "Math.Log({0})" "\\log" (fun a ->
                 match a.[0].Node with
                 | Num r when r.IsOne -> Some Expr.zero
                 | Fn("exp", [| y |]) -> Some y
                 | _ -> None)
             prim
                 "sqrt"
                 Math.Sqrt
                 (fun x ->
                     Expr.mul [
                         Expr.num (Rational.Create(1I, 2I))
                         Expr.pow (app "sqrt" [| x |]) Expr.minusOne
                     ])
                 false
                 "Math.Sqrt({0})"
                 "\\sqrt"
                 (fun a ->
                     match a.[0].Node with
                     | Num r when r.IsZero || r.IsOne -> Some a.[0]
                     | _ -> None)
             prim "sin" Math.Sin (fun x -> app "cos" [| x |]) true "Math.Sin({0})" "\\sin" (atZero Expr.zero)
             prim "cos" Math.Cos (fun x -> Expr.neg (app "sin" [| x |])) true "Math.Cos({0})" "\\cos" (atZero Expr.one)
             prim "sinh" Math.Sinh (fun x -> app "cosh" [| x |]) true "Math.Sinh({0})" "\\sinh" (atZero Expr.zero)
             prim "cosh" Math.Cosh (fun x -> app "sinh" [| x |]) true "Math.Cosh({0})" "\\cosh" (atZero Expr.one)
             prim
                 "tanh"
                 Math.Tanh
                 (fun x -> Expr.sub Expr.one (Expr.sqr (app "tanh" [| x |])))
                 true
                 "Math.Tanh({0})"
                 "\\tanh"
                 (atZero Expr.zero)
             prim
                 "sigmoid"
                 sigmoidF
                 (fun x ->
                     let s = app "sigmoid" [| x |]
                     Expr.mul [ s; Expr.sub Expr.one s ])
                 true
                 "StlpMath.Sigmoid({0})"
                 "\\sigma"
                 (atZero (Expr.num (Rational.Create(1I, 2I))))
             prim
                 "softplus"
                 softplusF
                 (fun x -> app "sigmoid" [| x |])
                 true
                 "StlpMath.Softplus({0})"
                 "\\operatorname{softplus}"
                 (fun _ -> None)
             prim
                 "abs"
                 Math.Abs
                 (fun x -> app "sign" [| x |])
                 false
                 "Math.Abs({0})"
                 "\\operatorname{abs}"
                 (atZero Expr.zero)
             prim
                 "relu"
                 (fun x -> Math.Max(x, 0.0))
                 (fun x -> app "heaviside" [| x |])
                 false
                 "Math.Max({0}, 0.0)"
                 "\\operatorname{relu}"
                 (atZero Expr.zero)
             prim
                 "sign"
                 (fun x -> float (Math.Sign x))
                 (fun _ -> Expr.zero)
                 false
                 "(double)Math.Sign({0})"
                 "\\operatorname{sign}"
                 (atZero Expr.zero)
             prim
                 "heaviside"
                 (fun x -> if x > 0.0 then 1.0 else 0.0)
                 (fun _ -> Expr.zero)
                 false
                 "({0} > 0.0 ? 1.0 : 0.0)"
                 "\\theta"
                 (atZero Expr.zero)
         ]
         |> List.map (fun p -> p.Name, p)
         |> Map.ofList)

    /// Applies a primitive with its exact folds; an application to floating constants is folded
    /// to a floating constant.
    and apply (name: string) (args: Expr[]) : Expr =
        let p =
            match (table ()).TryFind name with
            | Some p -> p
            | None -> invalidArg "name" $"unknown function '{name}'"

        if args.Length <> p.Arity then
            invalidArg "args" $"'{name}' takes {p.Arity} argument(s), got {args.Length}"

        match p.Fold args with
        | Some e -> e
        | None ->
            let isReal (e: Expr) = e.Node.IsReal

            if args |> Array.forall Expr.isNumber && args |> Array.exists isReal then
                Expr.real (
                    p.Eval(
                        args
                        |> Array.map (fun a ->
                            match a.Node with
                            | Real x -> x
                            | Num r -> r.ToDouble()
                            | _ -> nan)
                    )
                )
            elif name = "exp" then
                Expr.expOf args.[0]
            else
                Intern.make (Fn(name, args))

    let tryFind name = (table ()).TryFind name
    let find name = (table ()).[name]

    /// The primitive's value at the arguments, for C# callers (the IR's evaluators).
    let evaluate (name: string) (args: float[]) : float = (find name).Eval args
    let all () = table () |> Map.toList |> List.map snd

    let exp x = apply "exp" [| x |]
    let log x = apply "log" [| x |]
    let sqrt x = apply "sqrt" [| x |]
    let sin x = apply "sin" [| x |]
    let cos x = apply "cos" [| x |]
    let tanh x = apply "tanh" [| x |]
    let sigmoid x = apply "sigmoid" [| x |]
    let softplus x = apply "softplus" [| x |]
    let abs x = apply "abs" [| x |]
    let relu x = apply "relu" [| x |]
