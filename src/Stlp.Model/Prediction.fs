namespace Stlp.Model

open System.Collections.Generic

/// The feedforward map of a trained network: neuron by neuron in the network's order, each
/// neuron's value from its own constraint G_j = x_j - f_j(...) = 0 (so x_j = -G_j at x_j = 0),
/// with the weights (and biases, slacks) at the values the run reached and the inputs from a
/// data row. Works for every declared form whose output enters as x_j with coefficient 1.
module Prediction =
    type Predictor(model: Model, network: NetworkInfo) =
        let neurons = network.Layers |> List.concat |> Array.ofList
        let byName = model.Constraints |> List.map (fun c -> c.Name, c) |> Map.ofList

        let constraints =
            neurons
            |> Array.map (fun n ->
                match byName.TryFind n with
                | Some c ->
                    let x = { Name = n; Kind = Coordinate }
                    let slope = Calculus.diff x c.G

                    if not (Expr.isOne slope) then
                        raise (
                            DerivationError
                                $"network '{network.Name}': neuron '{n}' is not of the form x - f(...) (dG/dx = {Print.text slope}), so it cannot be evaluated feedforward"
                        )

                    x, c.G
                | None -> raise (DerivationError $"network '{network.Name}': no constraint for neuron '{n}'"))

        /// Output neuron values for fixed coordinates (weights) and signal values of one row.
        member _.Predict
            (coordinates: IReadOnlyDictionary<string, float>, signals: System.Func<string, float>)
            : float[] =
            let values = Dictionary<Symbol, float>()

            for KeyValue(k, v) in coordinates do
                values.[{ Name = k; Kind = Coordinate }] <- v

            let leaves =
                { new IValues with
                    member _.Symbol s =
                        match values.TryGetValue s with
                        | true, v -> v
                        | _ ->
                            match s.Kind with
                            | Parameter ->
                                model.Parameters
                                |> List.tryFind (fun p -> p.Name = s.Name)
                                |> Option.map (fun p -> p.Value)
                                |> Option.defaultWith (fun () -> raise (EvaluationError $"no value for '{s}'"))
                            | _ -> 0.0

                    member _.Signal(name, k) =
                        if k = 0 then signals.Invoke name else 0.0
                }

            for x, g in constraints do
                values.[x] <- 0.0
                values.[x] <- -(Evaluate.eval leaves g)

            network.Outputs
            |> List.map (fun o -> values.[{ Name = o; Kind = Coordinate }])
            |> Array.ofList
