/// The F# DSL and the builder produce exactly the model the file does.
module Stlp.Model.Tests.BuilderTests

open Xunit
open Stlp.Model
open Stlp.Model.Tests.ParserTests

[<Fact>]
let ``the F# DSL sample builds fig3b exactly as the file does`` () =
    Assert.Equal(Describe.text (load "fig3b.stlp"), Describe.text (FSharpDsl.Fig3b.model ()))

[<Fact>]
let ``the F# DSL sample builds the XOR network exactly as the file does`` () =
    Assert.Equal(Describe.text (load "xor.stlp"), Describe.text (FSharpDsl.Xor.model ()))

[<Fact>]
let ``the builder refuses what the parser refuses`` () =
    let b = ModelBuilder("bad").Param("theta", 1.0)
    let ex = Assert.ThrowsAny<exn>(fun () -> b.Weight("theta", Expr.one) |> ignore)

    Assert.Contains(
        "already defined",
        ex.Message
        + (match ex with
           | ModelError(_, _, m) -> m
           | _ -> "")
    )

    let x = Expr.sym "x" Coordinate
    b.Coordinate("x", Expr.one) |> ignore

    let ex2 =
        Assert.ThrowsAny<exn>(fun () -> b.AddConstraint("g", x - Functions.abs x) |> ignore)

    Assert.Contains(
        "not twice continuously differentiable",
        (match ex2 with
         | ModelError(_, _, m) -> m
         | _ -> "")
    )
