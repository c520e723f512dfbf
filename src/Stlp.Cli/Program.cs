using System.CommandLine;
using Stlp.Cli;

var root = new RootCommand(
    "stlp: learning as constrained Lagrangian mechanics (Spatiotemporal Local Propagation).\n"
        + "Write a Lagrangian and constraints in a .stlp model file; inspect and derive them."
)
{
    ShowCommand.Create(),
};

return root.Parse(args).Invoke();
