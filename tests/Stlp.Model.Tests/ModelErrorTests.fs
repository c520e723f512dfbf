/// Every kind of bad input gets a clear error with its place in the source.
module Stlp.Model.Tests.ModelErrorTests

open Xunit
open Stlp.Model

let private errorOf (text: string) =
    try
        Elaborate.ofText "." Map.empty text |> ignore
        failwith "expected a model error"
    with ModelError(kind, pos, message) ->
        kind, pos, message

let private check text kind line column (fragment: string) =
    let k, pos, message = errorOf text
    Assert.Equal(kind, k)
    Assert.Equal(Some { Line = line; Column = column }, pos)
    Assert.Contains(fragment, message)

let private fig3 =
    """param theta = 1
signal e(t) = 3*(1 - exp(-t))
input  x1 = e(t)
"""

[<Fact>]
let ``a syntax error names line and column and what was expected`` () =
    check (fig3 + "neuron x2 = tanh(w*x1\n") ParseError 5 1 "expected"
    check (fig3 + "neuron x2 = tanh(w*x1\n") ParseError 5 1 "')'"

[<Fact>]
let ``the formatted error shows the line and a caret`` () =
    let text = fig3 + "weight w mass * 2\n"
    let k, pos, message = errorOf text
    let formatted = Errors.format "m.stlp" text k pos message
    Assert.Equal("m.stlp:4:15: error: expected an expression\n 4 | weight w mass * 2\n   |               ^", formatted)

[<Fact>]
let ``an unknown statement is a parse error`` () =
    check "param a = 1\nneurone x = 2\n" ParseError 2 1 "a statement"

[<Fact>]
let ``an undefined name points at the name`` () =
    check (fig3 + "neuron x2 = tanh(v*x1)\n") UndefinedName 4 18 "undefined name 'v'"

[<Fact>]
let ``an undefined function points at the call`` () =
    check (fig3 + "weight w\nneuron x2 = tanhh(w*x1)\n") UndefinedName 5 13 "undefined function 'tanhh'"

[<Fact>]
let ``a duplicate name points at the second definition and names the first`` () =
    check (fig3 + "weight x1\n") DuplicateName 4 8 "already defined at line 3, column 8"

[<Fact>]
let ``wrong arity of a function`` () =
    check (fig3 + "weight w\nneuron x2 = tanh(w, x1)\n") WrongArity 5 13 "'tanh' takes 1 argument(s), but 2 were given"

[<Fact>]
let ``wrong arity of a signal`` () =
    check (fig3 + "neuron x2 = e(t, t)\n") WrongArity 4 13 "'e' takes 1 argument(s)"

[<Fact>]
let ``a function that is not C2 inside a constraint`` () =
    check
        (fig3 + "weight w\nneuron x2 = relu(w*x1)\n")
        NotSmooth
        5
        13
        "'relu' is not twice continuously differentiable and cannot appear in constraint 'x2'"

[<Fact>]
let ``a non-C2 function is fine in the loss`` () =
    let m = Elaborate.ofText "." Map.empty (fig3 + "loss abs(x1 - 3)\n")
    Assert.Equal("abs(x1 - 3)", Print.text m.Loss)

[<Fact>]
let ``a constraint that mentions no coordinate`` () =
    check (fig3 + "constraint c: e(t) = 2\n") NoCoordinate 4 12 "constraint 'c' mentions no coordinate"

[<Fact>]
let ``a velocity inside a constraint`` () =
    check (fig3 + "constraint c: x1' = 0\n") InvalidModel 4 15 "only F(t, q, qdot) may depend on velocities"

[<Fact>]
let ``an acceleration in F is refused`` () =
    check (fig3 + "F = x1''^2\n") InvalidModel 4 5 "fourth order"

[<Fact>]
let ``a non-positive mass`` () =
    check (fig3 + "weight w mass -1\n") InvalidModel 4 8 "the mass of 'w' must be positive"

[<Fact>]
let ``an unknown parameter on the command line`` () =
    try
        Elaborate.ofText "." (Map.ofList [ "gamma", 1.0 ]) fig3 |> ignore
        failwith "expected a model error"
    with ModelError(kind, pos, message) ->
        Assert.Equal(UndefinedName, kind)
        Assert.Equal(None, pos)
        Assert.Contains("no parameter 'gamma'", message)

[<Fact>]
let ``an unknown form in a network`` () =
    check
        (fig3 + "network feedforward 1-1 {\n  form fancy\n  inputs e(t)\n}\n")
        InvalidModel
        4
        1
        "undefined constraint form 'fancy'"

[<Fact>]
let ``a form used with the wrong number of arrays`` () =
    check (fig3 + "form odd(x; a[], b[], c[]) = x\n") InvalidModel 4 6 "at most two"
