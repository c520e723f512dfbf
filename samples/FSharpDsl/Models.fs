/// Models written with the F# DSL; each is the same model as the `.stlp` file of the same name.
namespace FSharpDsl

open Stlp.Model
open Stlp.Model.Dsl

module Fig3b =
    /// samples/fig3b.stlp
    let model () =
        let theta, c = param "theta", param "c"
        let x1, x2, w = coord "x1", coord "x2", coord "w"
        let e = signal "e"

        (Dsl.model "fig3b")
            .Param("theta", 1.0)
            .Param("c", 1.0)
            .Signal("e", n 3 * (n 1 - exp (-t)))
            .Input("x1", e, n 1)
            .Neuron("x2", tanh (w * x1), n 1)
            .Weight("w", n 1, n 0)
            .Dissipation(exp (theta * t))
            .Loss(sqr (x2 - tanh (n 3)) / n 2 + c * sqr (x2 - tanh (w * x1)) / n 2)
            .Simulate(0.0, 200.0, "dopri5", rtol = 1e-10, atol = 1e-12, outputEvery = 0.1)
            .Build()

module Xor =
    /// samples/xor.stlp
    let model () =
        let theta, tau, pi = param "theta", param "tau", param "pi"
        let a, b = signal "a", signal "b"

        let square k =
            (n 1 + tanh (n 10 * sin (pi * t / (k * tau)))) / n 2

        let spec = {
            feedforward "xor" [ 2; 2; 1 ] with
                Activation = "tanh"
                Form = Some "biased"
                Inputs = [ None, a; None, b ]
                Targets = [ None, signal "y" ]
                MassNeuron = real 0.1
                MassWeight = n 1
                Init = RandomWeights(1.0, 7)
        }

        (Dsl.model "xor")
            .Param("theta", 1.0)
            .Param("tau", 2.0)
            .Param("pi", 3.141592653589793)
            .Signal("a", square (n 2))
            .Signal("b", square (n 1))
            .Signal("y", a + b - n 2 * a * b)
            .Form("biased(x; in[], w[], b) = x - sigma(sum(w[i]*in[i]) + b)")
            .Network(spec)
            .Dissipation(exp (theta * t))
            .Simulate(0.0, 400.0, "dopri5", rtol = 1e-8, outputEvery = 0.5)
            .Build()
