using System.Globalization;
using System.Text.Json;
using Xunit;

namespace Stlp.Cli.Tests;

/// <summary>
/// Small seeded training runs of the shipped samples, end to end through <c>stlp run</c>: the loss
/// falls, the learned map scores above a threshold, and the backprop baseline is reported beside
/// it. Deterministic: seeded weights, seeded split, adaptive steps with fixed tolerances.
/// </summary>
public sealed class LearningTests : IDisposable
{
    private readonly string directory = Path.Combine(Path.GetTempPath(), $"stlp-learn-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>What the last <see cref="RunSample"/> printed.</summary>
    private string printed = "";

    private JsonElement RunSample(string sample)
    {
        var (code, output, err) = Cli.Run("run", Cli.Sample(sample), "--out", directory);
        Assert.True(code == 0, err);
        printed = output;
        return JsonDocument.Parse(File.ReadAllText(Path.Combine(directory, "summary.json"))).RootElement;
    }

    /// <summary>
    /// Mean of the trajectory's loss over [from, to), mid-presentation only (t = (k + 1/2) tau with
    /// tau = 0.5): at a switch the targets are half-way between two examples.
    /// </summary>
    private double MeanLoss(double from, double to)
    {
        var lines = File.ReadAllLines(Path.Combine(directory, "trajectory.csv"));
        var header = lines[0].Split(',');
        var (t, loss) = (Array.IndexOf(header, "t"), Array.IndexOf(header, "loss"));
        return lines
            .Skip(1)
            .Select(l => l.Split(','))
            .Select(c =>
                (
                    T: double.Parse(c[t], CultureInfo.InvariantCulture),
                    L: double.Parse(c[loss], CultureInfo.InvariantCulture)
                )
            )
            .Where(r => r.T >= from && r.T < to && Math.Abs(r.T % 0.5 - 0.25) < 1e-9)
            .Average(r => r.L);
    }

    [Fact]
    public void XorGetsAllFourPatternsRightAndItsLossFalls()
    {
        var summary = RunSample("xor_learn.stlp");
        var evaluation = summary.GetProperty("evaluation")[0];
        Assert.Equal(1.0, evaluation.GetProperty("train").GetDouble());
        Assert.Equal(1.0, evaluation.GetProperty("backprop").GetProperty("train").GetDouble());
        // First ten epochs (of four examples, tau = 0.5) against the last ten.
        Assert.True(MeanLoss(280, 300) < MeanLoss(0, 20) / 10, $"{MeanLoss(0, 20)} -> {MeanLoss(280, 300)}");
        Assert.True(summary.GetProperty("max_abs_G").GetDouble() < 1e-3);
    }

    [Fact]
    public void IrisReachesNinetyThreePercentOnTheHeldOutThirdLikeBackprop()
    {
        var summary = RunSample("iris.stlp");
        var evaluation = summary.GetProperty("evaluation")[0];
        Assert.Equal(50, evaluation.GetProperty("held_out_rows").GetInt32());
        Assert.True(evaluation.GetProperty("held_out").GetDouble() >= 0.93, evaluation.ToString());
        Assert.Equal(10, evaluation.GetProperty("held_out_by_epoch").GetArrayLength());
        var backprop = evaluation.GetProperty("backprop");
        Assert.True(backprop.GetProperty("available").GetBoolean());
        Assert.Equal(0.125, backprop.GetProperty("rate_per_example").GetDouble(), 9);
        Assert.True(MeanLoss(450, 500) < MeanLoss(0, 50) / 2, $"{MeanLoss(0, 50)} -> {MeanLoss(450, 500)}");
        // At the backprop limit the two training-loss curves agree to a few per cent.
        var stlpLoss = evaluation
            .GetProperty("train_loss_by_epoch")
            .EnumerateArray()
            .Select(e => e.GetDouble())
            .ToArray();
        var backpropLoss = backprop
            .GetProperty("train_loss_by_epoch")
            .EnumerateArray()
            .Select(e => e.GetDouble())
            .ToArray();
        for (var e = 0; e < stlpLoss.Length; e++)
        {
            Assert.True(
                Math.Abs(stlpLoss[e] - backpropLoss[e]) < 0.25 * backpropLoss[e],
                $"epoch {e + 1}: {stlpLoss[e]} vs {backpropLoss[e]}"
            );
        }
        Assert.True(File.Exists(Path.Combine(directory, "learning.png")));
        // The run prints the same scores, per epoch beside backprop's.
        Assert.Contains(
            "iris: iris on iris: held-out accuracy by epoch, STLP beside backprop (online, rate 0.125",
            printed
        );
        var last = evaluation.GetProperty("held_out_by_epoch")[9].GetDouble();
        var lastBackprop = backprop.GetProperty("held_out_by_epoch")[9].GetDouble();
        Assert.Contains(
            $"iris:   epoch 10: STLP {last:F4} (train loss {stlpLoss[9]:F4}), backprop {lastBackprop:F4}",
            printed
        );
    }

    [Theory]
    [InlineData("sdirk")]
    [InlineData("rosenbrock")]
    public void TheImplicitMethodsRunTheStiffSampleAndAgreeWithDormandPrince(string method)
    {
        double FinalWeight(string m)
        {
            var (code, _, err) = Cli.Run(
                "run",
                Cli.Sample("backprop_limit.stlp"),
                "--set",
                "m=0.001",
                "--method",
                m,
                "--out",
                Path.Combine(directory, m)
            );
            Assert.True(code == 0, err);
            var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(directory, m, "summary.json"))).RootElement;
            Assert.Equal(m, summary.GetProperty("method").GetString());
            return summary.GetProperty("final").GetProperty("w1_1_1").GetDouble();
        }
        // rtol 1e-9 from the sample's simulate line; the stiff run takes far fewer implicit steps.
        Assert.Equal(FinalWeight("dopri5"), FinalWeight(method), 6);
    }

    [Fact]
    public void CrossEntropyOnLogisticOutputsFollowsBackprop()
    {
        // xor_learn.stlp with logistic neurons and the cross-entropy loss.
        Directory.CreateDirectory(directory);
        var model = Path.Combine(directory, "xor_ce.stlp");
        File.WriteAllText(
            model,
            File.ReadAllText(Cli.Sample("xor_learn.stlp"))
                .Replace("data/xor.csv", Cli.Sample("data/xor.csv").Replace('\\', '/'))
                .Replace("activation tanh", "activation sigmoid\n    loss crossentropy")
        );
        var (code, _, err) = Cli.Run("run", model, "--out", directory);
        Assert.True(code == 0, err);
        var evaluation = JsonDocument
            .Parse(File.ReadAllText(Path.Combine(directory, "summary.json")))
            .RootElement.GetProperty("evaluation")[0];
        var stlp = evaluation.GetProperty("train_loss_by_epoch").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        var backprop = evaluation
            .GetProperty("backprop")
            .GetProperty("train_loss_by_epoch")
            .EnumerateArray()
            .Select(e => e.GetDouble())
            .ToArray();
        Assert.True(stlp[^1] < stlp[0], $"{stlp[0]} -> {stlp[^1]}");
        Assert.Equal(backprop[^1], stlp[^1], 1e-2 * backprop[^1]);
    }

    [Fact]
    public void TheRecurrentNetLearnsTheDelayedSineWithItsWeightsLikeGradientFlow()
    {
        var summary = RunSample("recurrent.stlp");
        var first = summary.GetProperty("loss_mean_first_tenth").GetDouble();
        var last = summary.GetProperty("loss_mean_last_tenth").GetDouble();
        // RMS error sqrt(2 V): about 0.04 at the end, against 0.28 for copying the input.
        Assert.True(last < first / 10, $"{first} -> {last}");
        Assert.True(Math.Sqrt(2 * last) < 0.06, $"RMS {Math.Sqrt(2 * last)}");
        // The heavy slacks stay near zero: the weights carry the relation.
        var final = summary.GetProperty("final");
        Assert.True(Math.Abs(final.GetProperty("s_o").GetDouble()) < 1e-2);
        Assert.True(Math.Abs(final.GetProperty("s_h").GetDouble()) < 1e-2);

        // Backprop for this net, by hand: the hidden neuron is a fixed point h = tanh(a_h(h)), so
        // dh/dw comes from implicit differentiation; the weights follow Wdot = -(1/gamma) dV/dW
        // (gamma = theta m_W = 4), by explicit Euler, from the run's initial weights.
        var lines = File.ReadAllLines(Path.Combine(directory, "trajectory.csv"));
        var header = lines[0].Split(',');
        var start = lines[1].Split(',');
        string[] names = ["w_h_xin", "w_h_xr", "w_h_h", "w_o_h", "w_o_xin", "w_o_xr"];
        var w = names.ToDictionary(
            n => n,
            n => double.Parse(start[Array.IndexOf(header, n)], CultureInfo.InvariantCulture)
        );
        const double gamma = 4,
            dt = 0.005;
        var h = 0.0;
        var losses = new List<double>();
        for (var k = 0; k < 300 / dt; k++)
        {
            var t = k * dt;
            var (u, rate, y) = (Math.Sin(t), Math.Cos(t), 0.8 * Math.Sin(t - 0.5));
            for (var newton = 0; newton < 50; newton++)
            {
                var a = w["w_h_xin"] * u + w["w_h_xr"] * rate + w["w_h_h"] * h;
                var residual = h - Math.Tanh(a);
                h -= residual / (1 - (1 - Math.Tanh(a) * Math.Tanh(a)) * w["w_h_h"]);
            }
            var slopeH = 1 - h * h;
            var o = Math.Tanh(w["w_o_xin"] * u + w["w_o_h"] * h + w["w_o_xr"] * rate);
            if (k % 20 == 0)
            {
                losses.Add(0.5 * (y - o) * (y - o));
            }
            var delta = (o - y) * (1 - o * o);
            var dhScale = delta * w["w_o_h"] * slopeH / (1 - slopeH * w["w_h_h"]);
            var gradient = new Dictionary<string, double>
            {
                ["w_o_xin"] = delta * u,
                ["w_o_h"] = delta * h,
                ["w_o_xr"] = delta * rate,
                ["w_h_xin"] = dhScale * u,
                ["w_h_xr"] = dhScale * rate,
                ["w_h_h"] = dhScale * h,
            };
            foreach (var name in names)
            {
                w[name] -= dt / gamma * gradient[name];
            }
        }
        var tenth = losses.Count / 10;
        var handLast = losses.Skip(losses.Count - tenth).Average();
        Assert.InRange(last / handLast, 0.7, 1.4);
        // The weights end close (within 0.06; the two rate weights share a nearly flat direction).
        foreach (var name in names)
        {
            Assert.Equal(w[name], final.GetProperty(name).GetDouble(), 0.06);
        }
    }
}
