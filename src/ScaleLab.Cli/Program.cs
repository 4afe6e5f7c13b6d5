using System.CommandLine;
using ScaleLab.Cli;

return CliApp.Run(args);
