module FSharpDsl.Program

open Stlp.Model

[<EntryPoint>]
let main _ =
    printf "%s\n%s" (Describe.text (Fig3b.model ())) (Describe.text (Xor.model ()))
    0
