module FSharpDsl.Program

open Stlp.Model
open Stlp.Simulation
open Stlp.Simulation.Recording

/// fig3b built with the F# DSL (Models.fs), then derived, compiled and integrated by the simulation library.
[<EntryPoint>]
let main _ =
    let model = Fig3b.model ()
    let run = Simulator.Prepare(model, SimulationOptions(Cache = null)) // derive, start, compile
    printfn $"{model.Name}: {run.Derivation.N} coordinates, {run.Derivation.R} constraints"
    let trajectory = MemoryRecorder() // the trajectory in memory, no files
    let result = run.Run [ trajectory ]
    let w = trajectory.["w"]
    let wFinal = result.Final.["w"]
    printfn $"{result.Status}: {result.StepsAccepted} steps, max |G| = {result.MaxAbsG:E1}"
    printfn $"w(t = {result.TReached}) = {wFinal:F6} (w(0.1) = {w.[1]:F6})"
    printf "\nThe XOR network, as written in the DSL:\n%s" (Describe.text (Xor.model ()))
    0
