namespace Stlp.Simulation;

/// <summary>Bad input from a user's file or option (a state file, a hand kernel's path), reported without a stack trace.</summary>
public sealed class InputError(string message) : Exception(message);
