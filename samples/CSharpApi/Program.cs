using Stlp.Model;

Console.Write(Describe.text(CSharpApi.Fig3b.Build()));
