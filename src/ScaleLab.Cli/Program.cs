using ScaleLab.Cli;

if (MeasuringProcess.Wanted(args) && MeasuringProcess.Run(args) is int code) return code;
return CliApp.Run(args);
