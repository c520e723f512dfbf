using Stlp.Cli;

return StlpApp.Run(args, Console.Out, Console.Error);
